"""The pictures of a sample result (`pyrometer view FILE.json --flamegraph ...`,
the same options as `pyrometer sample`): each parses in the format it claims,
holds the frames and counts of a hand-made profile with known answers, keeps
hostile names as text, and opens in the tool it is meant for (a real headless
chromium, jsonschema with speedscope's format, `go tool pprof`)."""
import gzip
import html.parser
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import sample_profiles
from conftest import ROOT, run
from sample_profiles import HOSTILE_FILE, HOSTILE_FUNCTION, SEMICOLON_FUNCTION, WORK

SVG = "{http://www.w3.org/2000/svg}"
TOTAL = 1165  # the samples of sample_profiles.known_profile()


def one_error_line(proc):
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("pyrometer: error: "), proc.stderr
    assert proc.returncode != 0
    return lines[0]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every picture of the known profile, written by one `pyrometer view`."""
    folder = tmp_path_factory.mktemp("pictures")
    profile = sample_profiles.write(folder / "sample.json", sample_profiles.known_profile())
    names = {"flamegraph": "flame.svg", "html": "page.html", "speedscope": "speedscope.json",
             "collapsed": "stacks.txt", "pprof": "profile.pb.gz"}
    args = ["view", profile.name]
    for flag, name in names.items():
        args += [f"--{flag}", name]
    proc = run(args, cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return {flag: folder / name for flag, name in names.items()}


def frames_of(svg_root):
    return [g for g in svg_root.iter(f"{SVG}g") if g.get("class") == "frame"]


# --- the SVG flame graph -----------------------------------------------------

def test_svg_parses_as_xml_and_holds_the_frames(outputs):
    root = ET.parse(outputs["flamegraph"]).getroot()
    assert root.tag == f"{SVG}svg"
    frames = frames_of(root)
    by_name = {}
    for g in frames:
        by_name.setdefault(g.get("data-name"), []).append(g)
    assert {"all", "<module>", "main", "alpha", "beta", "fact", "worker", "Thread.run"} <= set(by_name)
    assert int(by_name["all"][0].get("data-w")) == TOTAL
    # alpha is merged by function under main (lines 5 and 6: 700) and apart under worker (100).
    assert sorted(int(g.get("data-w")) for g in by_name["alpha"]) == [100, 700]
    assert [int(g.get("data-w")) for g in by_name["beta"]] == [300]
    # Recursion nests: four frames of fact, one above the other.
    assert sorted(int(g.get("data-d")) for g in by_name["fact"]) == [3, 4, 5, 6]
    title = by_name["alpha"][0].find(f"{SVG}title").text
    assert re.match(r"alpha \(/src/work\.py:3\): (700|100) samples", title), title
    # The inline style and script, and nothing fetched.
    assert len(list(root.iter(f"{SVG}script"))) == 1
    assert len(list(root.iter(f"{SVG}style"))) == 1
    text = outputs["flamegraph"].read_text()
    assert "href" not in text and "url(" not in text


def test_svg_keeps_hostile_names_as_text(outputs):
    text = outputs["flamegraph"].read_text()
    assert "<script>alert" not in text
    root = ET.parse(outputs["flamegraph"]).getroot()
    hostile = [g for g in frames_of(root) if g.get("data-name") == HOSTILE_FUNCTION]
    assert len(hostile) == 1
    assert hostile[0].get("data-file") == HOSTILE_FILE
    assert hostile[0].find(f"{SVG}title").text.startswith(HOSTILE_FUNCTION + " (" + HOSTILE_FILE + ":1)")
    odd = [g for g in frames_of(root) if g.get("data-name") == SEMICOLON_FUNCTION]
    assert len(odd) == 1  # the SVG keeps the name whole, newline included


# --- the HTML page -----------------------------------------------------------

class PageParser(html.parser.HTMLParser):
    """Collects what the page shows as text, its elements and its tables' rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.data = []
        self.rows = {}
        self.section = None
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "section":
            self.section = attrs.get("id")
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.setdefault(self.section, []).append(self.row)
            self.row = None

    def handle_data(self, data):
        self.data.append(data)
        if self.cell is not None:
            self.cell += data


@pytest.fixture(scope="module")
def page(outputs):
    parser = PageParser()
    parser.feed(outputs["html"].read_text())
    parser.close()
    return parser


def test_html_parses_and_holds_both_views_and_the_tables(page):
    svgs = [attrs.get("id") for tag, attrs in page.tags if tag == "svg"]
    assert svgs == ["flame-graph", "icicle-graph"]
    frames = [attrs for tag, attrs in page.tags if tag == "g" and attrs.get("class") == "frame"]
    assert len([f for f in frames if f["data-name"] == "beta"]) == 2  # once in each view
    functions = page.rows["functions"]
    assert functions[0] == ["Function", "File:line", "Own", "Own %", "Total", "Total %"]
    # Heaviest by total first: <module> 1065, main 1050, alpha 800 (700 + 100 in the thread).
    assert [row[0] for row in functions[1:4]] == ["<module>", "main", "alpha"]
    alpha = next(row for row in functions if row[0] == "alpha")
    assert alpha[1:] == [f"{WORK}:3", "800", "68.7", "800", "68.7"]
    fact = next(row for row in functions if row[0] == "fact")
    assert fact[2] == "50" and fact[4] == "50"  # recursion counted once
    lines = page.rows["lines"]
    assert lines[1][:3] == [f"{WORK}:5", "alpha", "600"]
    assert lines[1][6] == "for i in range(n): total += i * i"


def test_html_shows_the_source_of_hot_functions_with_counts(page):
    source = page.rows["sources"]
    counted = [row for row in source if len(row) == 5 and row[1]]  # rows with counts (alpha's)
    alpha_body = [row for row in counted if row[4].startswith("    for i in range(n)")]
    assert alpha_body[0][:4] == ["5", "600", "600", f"{100 * 600 / TOTAL:.1f}"]
    returned = [row for row in counted if row[4].startswith("    return total")]
    assert returned[0][:3] == ["6", "200", "200"]
    # <module>, main, alpha, beta, fact: the five hottest, each with its source.
    headings = [row for row in source if row[0] == "Line"]
    assert len(headings) == 5


def test_html_keeps_hostile_text_as_text(outputs, page):
    scripts = [tag for tag, _ in page.tags if tag == "script"]
    assert scripts == ["script"]
    shown = "".join(page.data)
    assert HOSTILE_FUNCTION in shown
    assert "x = 1  # ]]> </script><script>alert(1)</script>" in shown
    assert "    return total  # ]]> </script> <b>" in shown
    assert not any(tag == "b" for tag, _ in page.tags)
    text = outputs["html"].read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "url(" not in text and "@import" not in text


# --- speedscope, collapsed stacks, pprof --------------------------------------

def test_speedscope_validates_and_holds_threads(outputs):
    import jsonschema
    data = json.loads(outputs["speedscope"].read_text())
    schema = json.loads((Path(__file__).parent / "speedscope_schema.json").read_text())
    jsonschema.validate(data, schema)
    frames = data["shared"]["frames"]
    assert {"name": "alpha", "file": WORK, "line": 3} in frames
    assert any(f["name"] == HOSTILE_FUNCTION and f["file"] == HOSTILE_FILE for f in frames)
    assert any(f["name"] == SEMICOLON_FUNCTION for f in frames)
    profiles = {p["name"]: p for p in data["profiles"]}
    assert set(profiles) == {"MainThread", "Thread-1 (worker)"}
    worker = profiles["Thread-1 (worker)"]
    assert worker["unit"] == "nanoseconds" and worker["weights"] == [100_000_000]
    main = profiles["MainThread"]  # alpha at lines 5 and 6: one stack of frames
    assert [[frames[i]["name"] for i in s] for s in main["samples"]][0] == ["<module>", "main", "alpha"]
    assert main["weights"][0] == 700_000_000
    assert [frames[i]["name"] for i in worker["samples"][0]] == ["Thread.run", "worker", "alpha"]
    assert sum(sum(p["weights"]) for p in data["profiles"]) == TOTAL * 1_000_000
    for p in data["profiles"]:
        assert p["endValue"] == sum(p["weights"]) and len(p["samples"]) == len(p["weights"])


def test_collapsed_stacks_sum_to_the_samples(outputs):
    lines = outputs["collapsed"].read_text().splitlines()
    counts = {}
    for line in lines:
        stack, count = re.fullmatch(r"(.+) (\d+)", line).groups()
        counts[stack] = counts.get(stack, 0) + int(count)
    assert sum(counts.values()) == TOTAL
    module = f"<module> ({WORK}:1)"
    assert counts[f"{module};main ({WORK}:20);alpha ({WORK}:3)"] == 700
    assert counts[f"Thread.run (/usr/lib/python3/threading.py:1000);worker ({WORK}:15);alpha ({WORK}:3)"] == 100
    assert counts[";".join([module, f"main ({WORK}:20)"] + [f"fact ({WORK}:38)"] * 4)] == 50
    hostile = f"{HOSTILE_FUNCTION} ({HOSTILE_FILE}:1)"
    assert counts[f"{module};{hostile}"] == 10
    assert counts[f"{module};{hostile};odd:name second line ({HOSTILE_FILE}:4)"] == 5


def read_protobuf(data):
    """A protobuf message as {field: [values]}: ints for varints, bytes otherwise."""
    fields, i = {}, 0

    def varint():
        nonlocal i
        value = shift = 0
        while True:
            byte = data[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while i < len(data):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            fields.setdefault(field, []).append(varint())
        elif wire == 2:
            length = varint()
            fields.setdefault(field, []).append(data[i:i + length])
            i += length
        else:
            raise AssertionError(f"unexpected wire type {wire}")
    return fields


def packed(data):
    values, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            values.append(value)
            value = shift = 0
    return values


def test_pprof_is_gzipped_profile_proto(outputs):
    raw = outputs["pprof"].read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    message = gzip.decompress(raw)  # gzip checks the CRC-32 and the length
    assert len(raw) < len(message)  # compressed, not only stored
    profile = read_protobuf(message)
    strings = [s.decode() for s in profile[6]]
    assert strings[0] == ""
    types = [read_protobuf(t) for t in profile[1]]
    assert [(strings[t[1][0]], strings[t[2][0]]) for t in types] == [("samples", "count"), ("cpu", "nanoseconds")]
    functions = {}
    for message in profile[5]:
        function = read_protobuf(message)
        functions[function[1][0]] = (strings[function[2][0]], strings[function[4][0]], function.get(5, [0])[0])
    assert ("alpha", WORK, 3) in functions.values()
    assert (HOSTILE_FUNCTION, HOSTILE_FILE, 1) in functions.values()
    assert (SEMICOLON_FUNCTION, HOSTILE_FILE, 4) in functions.values()
    # One location per function and line: alpha at 5 and at 6.
    locations = {}
    for message in profile[4]:
        location = read_protobuf(message)
        line = read_protobuf(location[4][0])
        locations[location[1][0]] = (functions[line[1][0]][0], line[2][0])
    assert sorted(v for v in locations.values() if v[0] == "alpha") == [("alpha", 5), ("alpha", 6)]
    samples = [read_protobuf(s) for s in profile[2]]
    assert sum(packed(s[2][0])[0] for s in samples) == TOTAL
    assert sum(packed(s[2][0])[1] for s in samples) == TOTAL * 1_000_000
    worker = next(s for s in samples if [locations[i][0] for i in packed(s[1][0])] == ["alpha", "worker", "Thread.run"])
    assert packed(worker[2][0]) == [100, 100_000_000]  # leaf first
    assert profile[12] == [1_000_000]  # period: 1 ms at 1000 Hz


def go_pprof(*args):
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not installed (scripts/test installs Debian's golang-go)")
    env = dict(os.environ, HOME=os.environ.get("HOME", "/tmp"))
    proc = subprocess.run([go, "tool", "pprof", *args], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_go_tool_pprof_reads_it_with_alpha_on_top(outputs):
    out = go_pprof("-top", str(outputs["pprof"]))
    assert "Type: cpu" in out
    rows = [line.split() for line in out.splitlines() if re.match(r"\s+[\d.]+m?s\s", line)]
    assert rows[0][-1] == "alpha", out
    assert rows[0][0] == "0.80s" and rows[1][-1] == "beta", out
    raw = go_pprof("-raw", str(outputs["pprof"]))
    assert HOSTILE_FUNCTION in raw and "thread:[Thread-1 (worker)]" in raw


# --- errors -------------------------------------------------------------------

def test_a_picture_of_another_tool_is_one_line(tmp_path):
    lines = tmp_path / "lines.json"
    proc = run(["lines", "-o", lines, "-c", "x = 1"])
    assert proc.returncode == 0, proc.stderr
    proc = run(["view", lines, "--flamegraph", tmp_path / "x.svg", "--pprof", tmp_path / "x.pb.gz"])
    message = one_error_line(proc)
    assert "--flamegraph, --pprof draw sample results" in message and "pyrometer.lines" in message
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("flag, name, expected", [
    ("--flamegraph", "x.png", "--flamegraph writes SVG: give a file ending in .svg (not '.png')"),
    ("--html", "x.svg", "--html writes HTML: give a file ending in .html or .htm (not '.svg')"),
    ("--speedscope", "x", "--speedscope writes JSON: give a file ending in .json (not 'x')"),
    ("--collapsed", "x.svg", "--collapsed writes text: give a file ending in .txt or .folded or .collapsed (not '.svg')"),
    ("--pprof", "x.gz", "--pprof writes gzipped protobuf: give a file ending in .pb.gz or .pprof (not '.gz')"),
    ("--pprof", "missing/x.pb.gz", "cannot write 'missing/x.pb.gz': no such directory 'missing'"),
])
def test_bad_picture_paths_are_refused_in_one_line(tmp_path, flag, name, expected):
    profile = sample_profiles.write(tmp_path / "s.json", sample_profiles.known_profile())
    proc = run(["view", profile, flag, name], cwd=tmp_path)
    assert one_error_line(proc) == f"pyrometer: error: {expected}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_one_file_for_two_pictures_is_refused(tmp_path):
    profile = sample_profiles.write(tmp_path / "s.json", sample_profiles.known_profile())
    proc = run(["view", profile, "--speedscope", "same.json", "--speedscope", "same.json", "--html", "a.html"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # the option repeated: the last one counts
    proc = run(["view", profile, "--flamegraph", "a.svg", "--html", "a.svg"], cwd=tmp_path)
    assert "writes HTML" in one_error_line(proc)


def test_a_profile_without_samples_still_draws(tmp_path):
    empty = sample_profiles.known_profile(hostile=False)
    empty.update(stacks=[], samplesTaken=0, samplesExpected=0, samplesDropped={})
    profile = sample_profiles.write(tmp_path / "s.json", empty)
    proc = run(["view", profile, "--flamegraph", "a.svg", "--html", "a.html", "--collapsed", "a.txt",
                "--speedscope", "a.json", "--pprof", "a.pb.gz"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [g.get("data-name") for g in frames_of(ET.parse(tmp_path / "a.svg").getroot())] == ["all"]
    assert (tmp_path / "a.txt").read_text() == ""
    assert gzip.decompress((tmp_path / "a.pb.gz").read_bytes())


# --- in a real browser ---------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("chromium and chromedriver are not installed (scripts/test installs Debian's chromium and chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except WebDriverException as error:
        pytest.skip(f"chromium could not start: {str(error.msg).splitlines()[0] if error.msg else error}")
    yield driver
    driver.quit()


def frame_element(driver, name, weight=None, within=""):
    from selenium.webdriver.common.by import By
    for g in driver.find_elements(By.CSS_SELECTOR, f"{within} g.frame"):
        if g.get_attribute("data-name") == name and (weight is None or g.get_attribute("data-w") == str(weight)):
            return g
    raise AssertionError(f"no frame {name!r} ({weight})")


def rect_width(g):
    from selenium.webdriver.common.by import By
    return float(g.find_element(By.CSS_SELECTOR, "rect").get_attribute("width"))


def save_screenshot(driver, tmp_name, docs_name, element=None):
    """Of the page (or one element) into the test's folder; also into docs/images
    when PYROMETER_SCREENSHOTS=1."""
    if element is not None:
        element.screenshot(str(tmp_name))
    else:
        driver.save_screenshot(str(tmp_name))
    if os.environ.get("PYROMETER_SCREENSHOTS") == "1":
        (ROOT / "docs" / "images").mkdir(exist_ok=True)
        shutil.copy(tmp_name, ROOT / "docs" / "images" / docs_name)


def test_svg_in_chromium_hover_zoom_search(browser, outputs, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    browser.get(outputs["flamegraph"].as_uri())
    full = float(browser.find_element(By.CSS_SELECTOR, "svg").get_attribute("data-width"))
    alpha = frame_element(browser, "alpha", 700)
    beta = frame_element(browser, "beta")
    assert rect_width(alpha) == pytest.approx(700 / TOTAL * full, abs=0.02)

    ActionChains(browser).move_to_element(alpha).perform()
    details = browser.find_element(By.CSS_SELECTOR, ".details").get_attribute("textContent")
    assert details.startswith(f"alpha ({WORK}:3): 700 samples, 60.09%"), details

    alpha.click()  # zooms: alpha takes the whole width, beta (beside it) is hidden
    assert rect_width(alpha) == pytest.approx(full, abs=0.02)
    assert not beta.is_displayed()
    assert "parent" in frame_element(browser, "main").get_attribute("class")
    browser.find_element(By.CSS_SELECTOR, ".reset").click()
    assert rect_width(alpha) == pytest.approx(700 / TOTAL * full, abs=0.02)
    assert beta.is_displayed()

    browser.find_element(By.CSS_SELECTOR, ".search-button").click()
    prompt = browser.switch_to.alert
    prompt.send_keys("beta")
    prompt.accept()
    assert "match" in beta.get_attribute("class")
    assert "match" not in alpha.get_attribute("class")
    fill = browser.execute_script("return getComputedStyle(arguments[0].querySelector('rect')).fill", beta)
    assert fill == "rgb(230, 0, 230)"
    assert browser.find_element(By.CSS_SELECTOR, ".matched").get_attribute("textContent") == f"Matched: {100 * 300 / TOTAL:.1f}%"
    save_screenshot(browser, tmp_path / "flamegraph.png", "flamegraph.png", browser.find_element(By.CSS_SELECTOR, "svg"))


def test_html_in_chromium_icicle_zoom_and_search_box(browser, outputs, tmp_path):
    from selenium.webdriver.common.by import By
    browser.get(outputs["html"].as_uri())
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    icicle = "#icicle-graph"
    full = float(browser.find_element(By.CSS_SELECTOR, icicle).get_attribute("data-width"))
    main = frame_element(browser, "main", within=icicle)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", main)
    main.click()
    assert rect_width(main) == pytest.approx(full, abs=0.02)
    assert not frame_element(browser, "worker", within=icicle).is_displayed()
    # The flame graph above is a separate picture: not zoomed.
    flame_main = frame_element(browser, "main", within="#flame-graph")
    assert rect_width(flame_main) == pytest.approx(1050 / TOTAL * full, abs=0.02)

    box = browser.find_element(By.ID, "search")
    browser.execute_script("window.scrollTo(0, 0)")
    box.send_keys("fact")
    for graph in ("#flame-graph", icicle):
        facts = [g for g in browser.find_elements(By.CSS_SELECTOR, f"{graph} g.frame") if g.get_attribute("data-name") == "fact"]
        assert len(facts) == 4 and all("match" in g.get_attribute("class") for g in facts)
        # Four nested frames cover 50 samples, counted once.
        assert browser.find_element(By.CSS_SELECTOR, f"{graph}").get_attribute("data-matched") == f"{100 * 50 / TOTAL:.1f}"
    assert HOSTILE_FUNCTION in browser.find_element(By.ID, "functions").text
    browser.set_window_size(1280, 1400)
    save_screenshot(browser, tmp_path / "sample-html.png", "sample-html.png")


def test_pprof_of_a_large_profile_inflates_exactly(tmp_path):
    """Many frames with long, repetitive names: the deflate stream (matches over the
    whole 32 KiB window, blocks past 64 KiB of input) must inflate to the message."""
    profile = sample_profiles.known_profile(hostile=False)
    base = len(profile["frames"])
    for i in range(3000):
        profile["frames"].append(sample_profiles.frame(f"module_{i % 7}.Class_{i}.method_{i * 7919 % 1000}",
                                                       f"/src/package/sub_{i % 13}/file_{i}.py", i % 400 + 1, 1))
        profile["stacks"].append({"frames": [0, 1, base + i], "samples": i % 5 + 1, "nanoseconds": (i % 5 + 1) * 1_000_000, "thread": 0})
    path = sample_profiles.write(tmp_path / "big.json", profile)
    proc = run(["view", path, "--pprof", "big.pb.gz"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    raw = (tmp_path / "big.pb.gz").read_bytes()
    message = gzip.decompress(raw)
    assert len(message) > 65535 and len(raw) < len(message) / 2
    strings = {s.decode() for s in read_protobuf(message)[6]}
    assert "module_2.Class_2998.method_162" in strings
    assert f"/src/package/sub_{2999 % 13}/file_2999.py" in strings
