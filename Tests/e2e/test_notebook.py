"""The seed's IPython session, typed into a real Jupyter notebook and executed with
nbclient and ipykernel: `%load_ext pyrometer`, `from primes import primes`,
`%lprun -f primes primes(1000)`, `%mprun -f primes primes(1000)`. The cells'
tables equal what `pyrometer lines` and `pyrometer memory` print for the same call
(hits and line contents; increments and occurrences), timings aside."""
import os
import re

import pytest

from conftest import ROOT, pyrometer_bin, run



@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The seed's primes.py without its @profile line and its call (chosen with
    -f instead), and a script that calls primes(1000) once."""
    place = tmp_path_factory.mktemp("notebook")
    source = (ROOT / "examples" / "primes.py").read_text().splitlines()
    kept = [line for line in source if line.strip() != "@profile" and not line.startswith("primes(")]
    (place / "primes.py").write_text("\n".join(kept) + "\n")
    (place / "run_primes.py").write_text("from primes import primes\nprimes(1000)\n")
    return place


def table(text, numeric_columns):
    """{line: (the numeric columns asked for..., source text)} of a report's rows;
    the source text starts where the header's "Line Contents" does."""
    start = next(line for line in text.splitlines() if "Line Contents" in line).index("Line Contents")
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^\s*(\d+)\s", line)
        if match:
            cells = line[:start].split()
            rows[int(match.group(1))] = tuple(numeric_columns(cells)) + (line[start:].rstrip(),)
    return rows


def hits(cells):
    """The Hits column of a line_profiler row (empty for lines that did not run)."""
    return [cells[1] if len(cells) > 1 else ""]


def increment_and_occurrences(cells):
    """Increment and Occurrences of a memory_profiler row: `N mem MiB inc MiB occ`."""
    return [cells[3], cells[5]] if len(cells) > 5 else ["", ""]


@pytest.fixture(scope="module")
def cells(folder):
    import nbclient
    import nbformat
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in (
        "%load_ext pyrometer", "from primes import primes", "%lprun -f primes primes(1000)", "%mprun -f primes primes(1000)")]
    # The kernel inherits the environment: the package, the fixture folder, the engine.
    saved = {key: os.environ.get(key) for key in ("PYTHONPATH", "PYROMETER_NATIVE")}
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "python"), str(folder)])
    os.environ["PYROMETER_NATIVE"] = os.path.join(os.path.dirname(pyrometer_bin()), "lib_pyrometer.so")
    try:
        client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                         resources={"metadata": {"path": str(folder)}})
        client.execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    outputs = []
    for cell in notebook.cells:
        text = "".join(output.get("text", "") for output in cell.outputs if output.get("output_type") == "stream")
        errors = [output for output in cell.outputs if output.get("output_type") == "error"]
        assert not errors, errors
        outputs.append(text)
    return outputs


def test_lprun_cell_equals_pyrometer_lines(cells, folder):
    cli = run(["lines", "-f", "primes", folder / "run_primes.py"], cwd=folder)
    assert cli.returncode == 0, cli.stderr
    notebook_rows = table(cells[2], hits)
    cli_rows = table(cli.stdout, hits)
    assert notebook_rows == cli_rows
    # primes(1000): 15 passes of the outer while and the last test.
    assert [row[0] for row in notebook_rows.values() if row[-1].strip() == "while m <= mroot:"] == ["16"]
    assert cells[2].startswith("Timer unit: 1e-09 s")


def test_mprun_cell_equals_pyrometer_memory(cells, folder):
    cli = run(["memory", "-f", "primes", folder / "run_primes.py"], cwd=folder)
    assert cli.returncode == 0, cli.stderr
    notebook_rows = table(cells[3], increment_and_occurrences)
    cli_rows = table(cli.stdout.split("\nPeak traced memory:")[0], increment_and_occurrences)
    assert notebook_rows == cli_rows
    assert [row[1] for row in notebook_rows.values() if row[-1].strip() == "while m <= mroot:"] == ["16"]
