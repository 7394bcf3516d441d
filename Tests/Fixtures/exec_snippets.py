"""exec()s 30,000 distinct small snippets (`x = [{i}] * 10`), each in a fresh
namespace that is thrown away at once, so nothing they make outlives them. (A new
name per snippet, `x{i} = ...`, would not do: from 3.12 the compiler interns
identifiers as immortal strings, which outlive their code on their own.)

Known answer: the heap never holds more than a few snippets' worth at once, so the
traced peak is the same whether or not `pyrometer memory` tracks source lines
(--top), and at the end no line holds the snippets' 30,000 code objects.
"""
import json

COUNT = 30000

for i in range(COUNT):
    exec(f"x = [{i}] * 10", {})  # exec-line
print(json.dumps({"snippets": COUNT}))
