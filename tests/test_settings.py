"""settings.toml: the agreement's defaults, overrides, and clear refusals."""

import pytest

from service_quality.settings import DEFAULT_SETTINGS, Settings, load_settings


def test_defaults_are_the_agreements_numbers():
    assert load_settings(DEFAULT_SETTINGS) == Settings()


@pytest.mark.parametrize("text, field, value", [
    ('[ticket]\nhandling_target_minutes = { severe = 240 }\n', "handling_target_minutes",
     {"severe": 240}),
    ('handling_target_minutes = { severe = 240 }\n', "handling_target_minutes", {"severe": 240}),
    ('[calendar]\nworking_hours = ["08:30-12:00", "14:00-17:30"]\n', "working_hours",
     ((510, 720), (840, 1050))),
    ('response_limit_minutes = 5\n', "response_limit_minutes", 5),
])
def test_overrides(tmp_path, text, field, value):
    path = tmp_path / "s.toml"
    path.write_text(text)
    assert getattr(load_settings(path), field) == value


@pytest.mark.parametrize("text, message", [
    ("[ticket]\nrespons_limit = 3\n", "unknown setting respons_limit"),
    ('[calendar]\nworking_hours = ["9-5"]\n', "cannot read '9-5'"),
    ('[calendar]\nworking_hours = ["08:00-12:00", "11:00-17:00"]\n', "overlap"),
    ('[ticket]\nreport_required_for = "some"\n', 'must be "all" or "severe"'),
    ("[ticket\n", "not valid TOML"),
])
def test_refusals_name_the_file(tmp_path, text, message):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ValueError) as e:
        load_settings(path)
    assert str(path) in str(e.value) and message in str(e.value)


# ---- Terms per customer ------------------------------------------------------------------------

CUSTOMER_TERMS = """
[ticket]
arrival_limit_working_minutes = 60

[customers.C003.ticket]
arrival_limit_working_minutes = 240
report_due_hours = 120

[customers.C003.complaint]
first_reply_limit_hours = 4

[customers.C007.calendar]
working_hours = ["08:00-12:00", "13:30-17:00"]
"""


def test_customer_terms_take_the_defaults_they_do_not_change(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(CUSTOMER_TERMS)
    s = load_settings(path)
    assert s.customers == {
        "C003": {"arrival_limit_working_minutes": 240, "report_due_hours": 120,
                 "first_reply_limit_hours": 4},
        "C007": {"working_hours": ((480, 720), (810, 1020))}}
    c003 = s.for_customer("C003")
    assert (c003.arrival_limit_working_minutes, c003.report_due_hours,
            c003.first_reply_limit_hours) == (240, 120, 4)
    assert c003.arrival_limit_non_working_minutes == 120 and c003.customers == {}
    assert s.for_customer("C007").working_hours == ((480, 720), (810, 1020))
    assert s.for_customer("C001") == s.terms() == Settings()
    assert s.terms().customers == {}


@pytest.mark.parametrize("text, message", [
    ("[customers.C003.tickets]\nreport_due_hours = 1\n",
     "unknown section customers.C003.tickets; a customer's terms take calendar, ticket"),
    ("[customers.C003.ticket]\nfirst_reply_limit_hours = 4\n",
     "unknown setting customers.C003.ticket.first_reply_limit_hours (it belongs in "
     "[customers.C003.complaint])"),
    ("[customers.C003.ticket]\nreport_due = 4\n",
     "unknown setting customers.C003.ticket.report_due"),
    ("[customers.C003]\nresponse_limit_minutes = 5\n",
     "customers.C003.response_limit_minutes: a customer's setting goes in its section, "
     "[customers.C003.ticket]"),
    ("[customers.C003.ticket]\narrival_limit_working_minutes = \"4h\"\n",
     "customers.C003.ticket.arrival_limit_working_minutes must be a number, 0 or more (not '4h')"),
    ("[customers.C003.ticket]\nreport_due_hours = -1\n", "must be a number, 0 or more (not -1)"),
    ("[customers.C003.severity]\nthreshold_inclusive = 1\n",
     "customers.C003.severity.threshold_inclusive must be true or false"),
    ("[customers.C003.ticket]\nreproduction_wait_months = 1.5\n",
     "customers.C003.ticket.reproduction_wait_months must be a whole number of months"),
    ('[customers.C003.calendar]\nworking_hours = ["8-12"]\n',
     "customers.C003: working hours: cannot read '8-12'"),
    ('[customers.C003.ticket]\nreport_required_for = "most"\n',
     'customers.C003: report_required_for must be "all" or "severe"'),
    ("[customers.C003.ticket]\nhandling_target_minutes = { urgent = 5 }\n",
     "customers.C003: handling_target_minutes takes general and severe"),
    ("[customers]\nC003 = 5\n", "customers.C003 must hold sections like [customers.C003.ticket]"),
    ("customers = 5\n", "customers must be tables like [customers.C003.ticket]"),
    ('[ticket]\nresponse_limit_minutes = "15"\n', "response_limit_minutes must be a number"),
    ('[calendar]\nworking_hours = "08:30-17:30"\n', 'working_hours must be a list like'),
])
def test_customer_terms_are_checked_strictly(tmp_path, text, message):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ValueError) as e:
        load_settings(path)
    assert str(path) in str(e.value) and message in str(e.value), str(e.value)


def test_the_shipped_settings_document_the_customer_tables():
    text = DEFAULT_SETTINGS.read_text(encoding="utf-8")
    assert "[customers.C003.ticket]" in text   # as a commented example
    assert load_settings(DEFAULT_SETTINGS).customers == {}
