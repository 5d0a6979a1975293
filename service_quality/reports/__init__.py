"""Report builders: the management workbook and the customer periodic report, as files."""
