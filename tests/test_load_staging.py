"""The load's fast path: Arrow staging, block-wise GB18030, trimming and memory let go."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from etl import readers
from etl.readers import InputError, read_table
from etl.stage import stage_file
from service_quality.schema import conform

HEADER = "工单号,客户编号,报障时间,地点\n"


def test_arrow_staging_equals_the_dataframe_staging(sample_dir):
    # Every file of the fixture sample (CSV in GBK and UTF-8, workbooks, messy values) gives the
    # same rows and rejections either way; the load uses arrow=True, the preview DataFrames.
    files = sorted(p for p in sample_dir.iterdir() if p.suffix in (".csv", ".xlsx"))
    assert {p.suffix for p in files} == {".csv", ".xlsx"}
    rejected_somewhere = False
    for path in files:
        [frame] = stage_file(path)
        [arrow] = stage_file(path, arrow=True)
        assert isinstance(arrow.good, pa.Table), path.name
        entity = frame.entity
        got = conform(arrow.good.to_pandas(), entity)
        want = conform(frame.good, entity)
        pd.testing.assert_frame_equal(got, want, check_dtype=True, obj=path.name)
        assert arrow.good.column("row_number").to_pylist() == frame.good["row_number"].tolist()
        pd.testing.assert_frame_equal(arrow.rejected, frame.rejected, obj=path.name)
        rejected_somewhere |= len(frame.rejected) > 0
    assert rejected_somewhere  # the sample's bad rows took part


def test_gb18030_is_converted_block_by_block(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "_DECODE_BLOCK", 40)  # many blocks in a small file
    rows = [f"T{i},客户{i},2025-10-01 08:{i:02d},北京〇{i}号楼\n" for i in range(30)]
    path = tmp_path / "tickets.csv"
    path.write_bytes((HEADER + "".join(rows)).encode("gb18030"))
    table = read_table(path)
    assert table.encoding == "gb18030"
    assert table.frame["site"].tolist() == [f"北京〇{i}号楼" for i in range(30)]


def test_gb18030_error_offset_is_in_the_whole_file(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "_DECODE_BLOCK", 40)
    good = (HEADER + "".join(f"T{i},客户,2025-10-01,北京\n" for i in range(20))).encode("gb18030")
    path = tmp_path / "tickets.csv"
    path.write_bytes(good + b"T99,\xff\xff,2025-10-01,x\n")
    with pytest.raises(InputError) as e:
        read_table(path)
    assert f"byte offset {len(good) + 4} (0xFF)" in str(e.value)


@pytest.mark.parametrize("value, kept", [
    ("北京", "北京"), ("\u3000北京\u3000", "北京"), (" T1 ", "T1"), ("\tT1", "T1"),
    ("T1\u00a0", "T1"), ("", None), ("   ", None),
])
def test_values_are_trimmed_whatever_the_chunk(value, kept, tmp_path):
    # The trim is skipped only for chunks whose values all start and end in visible ASCII.
    path = tmp_path / "tickets.csv"
    body = "".join(f"T{i},C1,2025-10-01 08:00,plain\n" for i in range(50))
    path.write_text(HEADER + body + f"T99,C1,2025-10-01 08:00,{value}\n", encoding="utf-8")
    site = read_table(path).frame["site"]
    assert site.iloc[-1] == kept if kept is not None else pd.isna(site.iloc[-1])
    assert (site.iloc[:-1] == "plain").all()


def test_release_rows_lets_go_of_the_text(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(HEADER + "T1,C1,2025-10-01 08:00,北京\n", encoding="utf-8")
    [staged] = stage_file(path, arrow=True)
    staged.table.release_rows()
    assert len(staged.table.frame) == 0 and staged.table.as_read is None
    assert staged.good.num_rows == 1  # the judged rows stay
    assert np.array_equal(staged.table.row_numbers, [2])
