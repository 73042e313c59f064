"""``xlpy docs``: the project's documents, shipped inside the package.

Messages cite ``docs/accounting.md`` or ``docs/offer-file.md``; a user who
installed xlpy from a wheel has no repository to open them in, so the same
files ship in the package (``xlpy/docs``) and this command prints one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engine.errors import InputError
from .commands import EXIT_OK, command

__all__ = ["DOCS", "document", "run_docs"]

#: Where the documents are: the repository's ``docs/`` (``xlpy/docs`` links to it), or the installed package's copy.
DOCS = Path(__file__).resolve().parent.parent / "docs"


def _names() -> dict[str, Path]:
    """Each document by the name the command takes: its file name without ``.md``, in lower case."""
    return {p.stem.lower(): p for p in sorted(DOCS.glob("*.md"))}


def document(name: str) -> Path:
    """The document *name* (``accounting``, ``offer-file``, ``docs/accounting.md``...), or an error naming it."""
    names = _names()
    key = Path(name.strip()).name.lower().removesuffix(".md")
    if key not in names:
        known = ", ".join(names) or "none: this installation carries no documents"
        raise InputError("name", name, f"is not one of xlpy's documents ({known})")
    return names[key]


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="a document: accounting, offer-file, architecture or style (with no name: "
                                           "the list, and the folder they are in)")


@command("docs", "print one of xlpy's documents (docs/accounting.md...), which the package carries")(_setup)
def run_docs(args: argparse.Namespace) -> int:
    if args.name is None:
        for key, path in _names().items():
            title = next((line.lstrip("# ").strip() for line in path.read_text(encoding="utf-8").splitlines()
                          if line.startswith("# ")), "")
            print(f"{key:<14}{title}")
        print(f"(in {DOCS}; xlpy docs NAME prints one)")
        return EXIT_OK
    sys.stdout.write(document(args.name).read_text(encoding="utf-8"))
    return EXIT_OK
