"""`pyrometer memory --flamegraph FILE.svg / --html FILE.html`: the memory held at
the peak and at the end, by stack, on a fixture whose stacks hold known bytes."""
import html.parser
import json
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import FIXTURES, run
from test_sample_outputs import SVG, browser, frame_element, one_error_line, rect_width, save_screenshot  # noqa: F401 (fixture)

MIB = 1 << 20
SCRIPT = FIXTURES / "memory_stacks.py"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("memory")
    proc = run(["memory", "--flamegraph", "m.svg", "--html", "m.html", "-o", "m.json", SCRIPT], cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert "note:" not in proc.stderr
    return folder


def stack_bytes(stacks, functions):
    return sum(s["bytes"] for s in stacks if [f["function"] for f in s["frames"]] == functions)


def test_the_result_keeps_bytes_by_stack(drawn):
    profile = json.loads((drawn / "m.json").read_text())
    peak, end = profile["stacksAtPeak"], profile["stacksAtEnd"]
    # Each bytearray holds its size plus a small header.
    assert 50 * MIB <= stack_bytes(peak, ["<module>", "temporary", "make"]) < 50 * MIB + 4096
    assert 30 * MIB <= stack_bytes(peak, ["<module>", "keep_a", "make"]) < 30 * MIB + 4096
    assert 30 * MIB <= stack_bytes(end, ["<module>", "keep_a", "make"]) < 30 * MIB + 4096
    assert 10 * MIB <= stack_bytes(end, ["<module>", "keep_b", "make"]) < 10 * MIB + 4096
    assert stack_bytes(end, ["<module>", "temporary", "make"]) < 4096
    assert sum(s["bytes"] for s in end) == profile["finalTraced"]
    frame = next(s for s in end if [f["function"] for f in s["frames"]] == ["<module>", "keep_a", "make"])["frames"][-1]
    assert frame["file"] == str(SCRIPT) and frame["line"] == 7


def test_without_pictures_no_stacks_are_kept(tmp_path):
    proc = run(["memory", "-o", tmp_path / "m.json", SCRIPT])
    assert proc.returncode == 0, proc.stderr
    profile = json.loads((tmp_path / "m.json").read_text())
    assert "stacksAtPeak" not in profile and "stacksAtEnd" not in profile


def graphs_of(path):
    root = ET.parse(path).getroot()
    graphs = {}
    for svg in root.iter(f"{SVG}svg"):
        if svg.get("class") == "flamegraph":
            graphs[svg.get("id")] = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "frame"]
    return root, graphs


def test_svg_has_the_peak_and_the_end(drawn):
    root, graphs = graphs_of(drawn / "m.svg")
    assert list(graphs) == ["peak", "end"]
    assert root.find(f"{SVG}svg").get("data-unit") == "bytes"
    peak = {g.get("data-name"): int(g.get("data-w")) for g in graphs["peak"] if g.get("data-name") != "make"}
    end = {g.get("data-name"): int(g.get("data-w")) for g in graphs["end"] if g.get("data-name") != "make"}
    assert 50 * MIB <= peak["temporary"] < 50 * MIB + 4096
    assert "temporary" not in end or end["temporary"] < 4096
    assert 30 * MIB <= end["keep_a"] < 30 * MIB + 4096
    title = next(g for g in graphs["peak"] if g.get("data-name") == "temporary").find(f"{SVG}title").text
    assert title.startswith(f"temporary ({SCRIPT}): 50.0 MiB"), title


class Sections(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag in ("section", "svg"):
            self.ids.append(dict(attrs).get("id"))

    def handle_data(self, data):
        self.text.append(data)


def test_html_has_both_views(drawn):
    page = Sections()
    page.feed((drawn / "m.html").read_text())
    assert page.ids == ["peak-flame", "peak-flame-graph", "peak-icicle", "peak-icicle-graph", "peak-functions", "peak-lines",
                        "end-flame", "end-flame-graph", "end-icicle", "end-icicle-graph", "end-functions", "end-lines", "sources"]
    text = "".join(page.text)
    # 90 MiB held by the program at the peak, plus what the interpreter holds
    # there (it differs between versions).
    held = re.search(r"Top functions at the peak \(([0-9.]+) MiB traced\)", text)
    assert held and 90.0 <= float(held.group(1)) < 92.0, text[:2000]
    assert "50.0 MiB" in text


def test_memory_flame_graph_in_chromium(browser, drawn, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    browser.get((drawn / "m.svg").as_uri())
    full = float(browser.find_element(By.CSS_SELECTOR, "#peak").get_attribute("data-width"))
    temporary = frame_element(browser, "temporary", within="#peak")
    temporary.click()
    assert rect_width(temporary) == pytest.approx(full, abs=0.02)
    assert not frame_element(browser, "keep_a", within="#peak").is_displayed()
    assert frame_element(browser, "keep_a", within="#end").is_displayed()  # the other graph keeps its zoom
    browser.find_element(By.CSS_SELECTOR, ".search-button").click()
    prompt = browser.switch_to.alert
    prompt.send_keys("keep_")
    prompt.accept()
    for graph in ("#peak", "#end"):
        assert "match" in frame_element(browser, "keep_b", within=graph).get_attribute("class")
    end_share = float(browser.find_element(By.CSS_SELECTOR, "#end").get_attribute("data-matched"))
    assert 99.0 <= end_share <= 100.0  # 40 MiB of the 40.0 MiB held at the end
    browser.find_element(By.CSS_SELECTOR, "#peak .reset").click()
    save_screenshot(browser, tmp_path / "memory.png", "memory-flamegraph.png", browser.find_element(By.CSS_SELECTOR, "svg"))


def test_bad_memory_picture_paths_are_refused_before_running(tmp_path):
    script = tmp_path / "speaks.py"
    script.write_text("print('ran')\n")
    proc = run(["memory", "--flamegraph", "m.png", script], cwd=tmp_path)
    assert one_error_line(proc).startswith("pyrometer: error: --flamegraph writes SVG: give a file ending in .svg (not '.png')")
    proc = run(["memory", "--html", "nowhere/m.html", script], cwd=tmp_path)
    assert one_error_line(proc) == "pyrometer: error: cannot write 'nowhere/m.html': no such directory 'nowhere'"
    assert proc.stdout == ""
