"""Command line ``orleans-gov``: one sub-command per capability (the top layer: it may import every other).

Sub-commands: ``echantillon``, ``donnees`` (:mod:`.donnees`), ``collecte`` (:mod:`.collecte`), ``scenario``
(:mod:`.scenario`), ``rapports`` (:mod:`.rapports`), ``telecharger`` (:mod:`.telechargement`), ``extraire``
(:mod:`.extraction`). Their arguments are declared in :mod:`.options`, which imports none of them: building the
parser (``orleans-gov --help``, ``orleans-gov <commande> --help``) loads neither pandas nor the construction layer;
a sub-command's module is imported only when its command runs.
"""
from __future__ import annotations

import argparse
import sys

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.cli import options

SOUS_COMMANDES = tuple(options.SOUS_COMMANDES)


def construire_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orleans-gov",
                                     description="Gouvernance du bloc communal — agglomération d'Orléans")
    options.configurer(parser.add_subparsers(dest="commande", metavar="COMMANDE"))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = construire_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ErreurDonnees as exc:
        print(f"Erreur de données — {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
