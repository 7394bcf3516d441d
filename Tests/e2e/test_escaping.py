"""Control bytes from a program (source lines, reprs, type and function names) are
escaped in every report: on the terminal as `\\x1b`, as Python's repr writes them,
and in DOT and SVG, which must stay well-formed XML. Tests/Fixtures/hostile_names.py
holds the raw bytes ESC, BEL, BS, DEL and CSI (U+009B)."""
import json
import shutil
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import FIXTURES, run

HOSTILE = FIXTURES / "hostile_names.py"
RAW = ["\x1b", "\x07", "\x08", "\x7f", "\x9b"]
SOURCE_LINE = "total = 0  # ESC:\\x1b[31m BEL:\\x07 BS:\\x08 DEL:\\x7f CSI:\\x9b"
REPR = '\\x1b[31mred\\x07\\x08\\x7f<&>"'
TYPE = "hostile_names.Hostile\\x1b[2J"
FUNCTION = 'renamed\\x1b[1m"<&>'
SVG = "{http://www.w3.org/2000/svg}"


def no_raw_bytes(text):
    return not any(byte in text for byte in RAW)


def test_the_fixture_holds_the_raw_bytes():
    text = HOSTILE.read_text(encoding="utf-8")
    assert all(byte in text for byte in RAW)


def test_lines_table_and_view(tmp_path):
    out = tmp_path / "lines.json"
    proc = run(["lines", "-o", out, HOSTILE], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert SOURCE_LINE in proc.stdout and f"Function: {FUNCTION} at line" in proc.stdout
    assert no_raw_bytes(proc.stdout)
    # The file keeps the program's text as it was; view escapes it again.
    assert any("\x1b" in line for function in json.loads(out.read_text())["functions"] for line in function["source"])
    viewed = run(["view", out])
    assert viewed.returncode == 0 and viewed.stdout == proc.stdout


def test_memory_table_top_and_plot(tmp_path):
    out, plot = tmp_path / "memory.json", tmp_path / "memory.svg"
    proc = run(["memory", "--top", "50", "--plot", plot, "-o", out, HOSTILE], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert SOURCE_LINE in proc.stdout and f"({FUNCTION})" in proc.stdout
    assert no_raw_bytes(proc.stdout)
    viewed = run(["view", "--top", "50", out])
    assert viewed.returncode == 0 and no_raw_bytes(viewed.stdout) and SOURCE_LINE in viewed.stdout
    calls = [rect.get("data-function") for rect in ElementTree.parse(plot).iter(SVG + "rect")
             if rect.get("data-function")]
    assert FUNCTION in calls  # the attribute, quotes and markup included, parsed back


def test_leaks_report_dot_and_svg(tmp_path):
    out, graph = tmp_path / "leaks.json", tmp_path / "chains.svg"
    proc = run(["leaks", "-o", out, "--graph", graph, "--call", "hostile_names:handle", "--repeat", "3"],
               cwd=FIXTURES, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert f"\n  {TYPE}  " in proc.stdout
    assert f"  sample:       {REPR}19\n" in proc.stdout
    assert no_raw_bytes(proc.stdout)
    viewed = run(["view", out])
    assert viewed.returncode == 0 and viewed.stdout == proc.stdout

    dot = graph.with_suffix(".dot").read_text()
    assert no_raw_bytes(dot)
    # DOT doubles the backslash; & is written as an entity Graphviz reads back.
    assert '\\\\x1b[31mred\\\\x07\\\\x08\\\\x7f<&amp;>\\"19' in dot
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    texts = [element.text for element in ElementTree.parse(graph).iter(SVG + "text")]
    assert TYPE in texts and REPR + "19" in texts


def test_timeit_statement(tmp_path):
    proc = run(["timeit", "-n", "10", "-r", "2", "x = '\x1b[2J'", "y = '\x07'"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "x = '\\x1b[2J'" in proc.stdout and "y = '\\x07'" in proc.stdout
    assert no_raw_bytes(proc.stdout)
