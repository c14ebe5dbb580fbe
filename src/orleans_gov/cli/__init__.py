"""Command line ``orleans-gov``: one sub-command per capability (the top layer: it may import every other).

Sub-commands: ``echantillon``, ``donnees`` (here), ``collecte`` (:mod:`.collecte`), ``scenario`` (:mod:`.scenario`),
``rapports`` (:mod:`.rapports`), ``telecharger`` (:mod:`.telechargement`), ``extraire`` (:mod:`.extraction`).
Each sub-command module is imported only when its command runs, so ``orleans-gov --help`` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.construction import construire
from orleans_gov.echantillon.comptes import empreinte, generer

SOUS_COMMANDES = ("collecte", "scenario", "rapports", "telechargement", "extraction")


def _cmd_echantillon(args) -> int:
    chemins = generer(args.dossier_donnees)
    print(f"Données d'exemple écrites : {len(chemins)} fichiers (empreinte {empreinte(args.dossier_donnees)[:12]}).")
    print("Ces données sont SYNTHÉTIQUES : « Données d'exemple — ne pas diffuser ».")
    return 0


def _cmd_donnees(args) -> int:
    print("Construction de data/processed …")
    construire(args.dossier_donnees, verbeux=True)
    return 0


def construire_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orleans-gov",
                                     description="Gouvernance du bloc communal — agglomération d'Orléans")
    sub = parser.add_subparsers(dest="commande", metavar="COMMANDE")
    p = sub.add_parser("echantillon", help="(ré)écrit les données d'exemple dans data/raw/sample")
    p.add_argument("--dossier-donnees", default=None, help="dossier de données (défaut : $ORLEANS_GOV_DATA ou data/)")
    p.set_defaults(func=_cmd_echantillon)
    p = sub.add_parser("donnees", help="construit data/processed à partir de data/raw")
    p.add_argument("--dossier-donnees", default=None, help="dossier de données (défaut : $ORLEANS_GOV_DATA ou data/)")
    p.set_defaults(func=_cmd_donnees)
    for nom in SOUS_COMMANDES:
        importlib.import_module(f"orleans_gov.cli.{nom}").configurer_cli(sub)
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
