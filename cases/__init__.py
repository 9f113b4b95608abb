"""Staff's way to the cases: open, act on, read and list them on Temporal (open cases) and in the
records store (closed ones), and say in words what went wrong.

Below every front that reads cases (the command line, the web console, subject access in
`records.access`), so that none of them imports another to reach a case.
"""
