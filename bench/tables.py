"""Markdown tables and the number formats every table of bench/run shares."""

from __future__ import annotations


def markdown_table(headers: list[str], rows: list[list], align: str = "") -> str:
    """A GitHub markdown table; `align` has one letter per column, l or r (default: l then r)."""
    align = align or "l" + "r" * (len(headers) - 1)
    if len(align) != len(headers) or any(len(row) != len(headers) for row in rows):
        raise ValueError("every row and the alignment need one entry per header")
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def not_available(reason: str) -> str:
    return f"n/a ({reason})"


def count(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def byte_size(value: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value} B"


def ratio(value: float | None) -> str:
    """A ratio to stock: 0 stays 0, small ones keep their significant digits."""
    if value is None:
        return "–"
    if value == 0:
        return "0"
    if value < 0.01:
        return f"{value:.1e}"
    return f"{value:.2f}"


def seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 100:
        return f"{value:.2f} s"
    if value < 3600:
        return f"{value:.0f} s"
    return f"{value / 3600:.1f} h"


def milliseconds(value: float) -> str:
    return f"{value:.1f}"
