"""The command line's registry: exit statuses, ``@command``, warnings and the limits every command takes.

Each command module (:mod:`xlpy.cli.offer`, :mod:`xlpy.cli.workbook`) registers
its commands here with :func:`command`; :func:`xlpy.cli.build_parser` reads
the registry.  Nothing here imports a command module, so imports run one way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..files.safety import DEFAULTS, configure

__all__ = ["EXIT_FINDINGS", "EXIT_INPUT", "EXIT_OK", "COMMANDS", "Terminated", "add_limit_options", "command",
           "configure_from", "warn"]

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI runner cancelling a job, ``timeout``): unwound as Ctrl-C is, so temporary files and a
    LibreOffice child are cleaned up, and the exit status is 143."""

COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int], str]] = {}


def command(name: str, help: str):
    """Register ``xlpy NAME``: the decorated function adds arguments; *run* does the work."""

    def wrap(setup):
        def bind(run):
            COMMANDS[name] = (setup, run, help)
            return run

        return bind

    return wrap


def warn(args: argparse.Namespace, warnings) -> None:
    """Warnings on standard error, never mixed into the output (``--json`` stays pure JSON)."""
    for w in warnings:
        print(f"xlpy {args.command}: warning: {w}", file=sys.stderr)



def add_limit_options(p) -> None:
    """The ``--max-*`` options of every command that opens packages from outside."""
    g = p.add_argument_group("limits on workbooks and XLSX files from outside (see README, Files from outside)")
    g.add_argument("--max-part-mb", type=float, metavar="MB",
                   help=f"largest unpacked part (default {DEFAULTS['part_mb'][0]:g}, or XLPY_MAX_PART_MB)")
    g.add_argument("--max-total-mb", type=float, metavar="MB",
                   help=f"largest unpacked package (default {DEFAULTS['total_mb'][0]:g}, or XLPY_MAX_TOTAL_MB)")
    g.add_argument("--max-ratio", type=float, metavar="N",
                   help=f"largest compression ratio of a part over 1 MB (default {DEFAULTS['ratio'][0]:g}, "
                   "or XLPY_MAX_RATIO)")
    g.add_argument("--max-parts", type=int, metavar="N",
                   help=f"most parts in a package (default {DEFAULTS['parts'][0]:,}, or XLPY_MAX_PARTS)")


def configure_from(args) -> None:
    """Apply the ``--max-*`` options of parsed *args* (absent options: unchanged)."""
    configure(part_mb=getattr(args, "max_part_mb", None), total_mb=getattr(args, "max_total_mb", None),
              ratio=getattr(args, "max_ratio", None), parts=getattr(args, "max_parts", None))
