"""Streaming readers of CSV, xlsx and Parquet files: the header, then rows as lists in header order.

Memory stays bounded whatever the file size.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tongban.errors import ValidationFailed

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}


def detect_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValidationFailed(f"不支持的文件类型“{path.suffix}”：请使用 CSV、xlsx 或 Parquet 文件。", code="bad_file")
    return fmt


class UnreadableRow(list[Any]):
    """A row the reader could not split into fields; ingest reports it with `reason` like any bad row."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


Rows = Iterator[tuple[int, list[Any]]]  # (row number as a person counts it in the file, values)


def open_rows(path: Path) -> tuple[list[str], Rows]:
    """The file's header and its data rows. An empty file has an empty header and no rows."""
    fmt = detect_format(path)
    rows = _csv(path) if fmt == "csv" else _xlsx(path) if fmt == "xlsx" else _parquet(path)
    header = next(rows, None)
    return (header[1], rows) if header is not None else ([], iter(()))


def _not_utf8() -> ValidationFailed:
    return ValidationFailed("CSV 文件不是 UTF-8 编码：请在 Excel 中另存为“CSV UTF-8”后重新导入。", code="bad_encoding")


def _csv(path: Path) -> Rows:
    raw = path.open("rb")
    head = raw.read(4)
    raw.seek(0)
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    with io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        try:
            yield 1, [h.strip() for h in next(reader)]
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise _not_utf8() from None
        except csv.Error as exc:
            raise ValidationFailed(f"无法读取表头（第 1 行）：{_csv_problem(exc)}。", code="bad_file") from None
        n = 1
        while True:
            n += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise _not_utf8() from None
            except csv.Error as exc:
                # Most often a field over the csv module's limit (128 KiB; a runaway quote does it too):
                # the row is rejected with its reason and reading goes on with the next line.
                yield n, UnreadableRow(_csv_problem(exc))
                continue
            if values:
                yield n, values


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (f"该行有字段超过 {csv.field_size_limit() // 1024} KiB，无法读取（可能是引号未闭合，"
                "使后面的多行被读成一个字段），请检查该行及其后几行")
    if "NUL" in text:
        return "该行含有空字符（NUL），请检查文件是否损坏或是否为 CSV 文本文件"
    return "该行无法按 CSV 格式解析（引号或分隔符有误），请检查该行"


def _xlsx(path: Path) -> Rows:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception:  # calamine raises its own error types for broken files
        raise ValidationFailed("无法读取该 xlsx 文件，请确认文件完整且为 .xlsx 格式。", code="bad_file") from None
    rows = sheet.iter_rows()
    try:
        yield 1, [str(h).strip() for h in next(rows)]
    except StopIteration:
        return
    for n, values in enumerate(rows, start=2):
        if any(v not in ("", None) for v in values):
            yield n, values


def _parquet(path: Path) -> Rows:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(str(path))
    except Exception:  # pyarrow raises ArrowInvalid and others for broken files
        raise ValidationFailed("无法读取该 Parquet 文件，请确认文件完整。", code="bad_file") from None
    yield 1, list(parquet.schema_arrow.names)
    n = 1
    for batch in parquet.iter_batches(batch_size=20_000):
        for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
            n += 1
            yield n, list(row)
