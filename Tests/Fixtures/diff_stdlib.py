"""Exercises standard-library code that neither tool's authors wrote; the
differential test times whole stdlib modules with --module / kernprof -p."""
import difflib
import textwrap

text = " ".join(f"word{i}" for i in range(300))
for width in (20, 35, 60):
    textwrap.fill(text, width=width)
    textwrap.shorten(text, width=width * 3)
textwrap.dedent("    a\n    b\n      c\n")
before = [f"line {i} {'x' * (i % 7)}\n" for i in range(60)]
after = [line.replace("x", "y") if i % 5 == 0 else line for i, line in enumerate(before)]
list(difflib.unified_diff(before, after))
difflib.SequenceMatcher(None, "abcdefghij" * 5, "abcxefghyj" * 5).ratio()
difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"])
