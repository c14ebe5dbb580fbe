"""Command line ``orleans-gov``: one sub-command per capability.

Core sub-commands live here (``echantillon``, ``donnees``); the others are contributed by optional modules
that define ``configurer_cli(subparsers)`` (collecte, scénarios, rendu, téléchargement, extraction).
"""
from __future__ import annotations

import argparse
import importlib
import sys

from orleans_gov.base.erreurs import ErreurDonnees

MODULES_CLI = (
    "orleans_gov.construction.collecte",
    "orleans_gov.scenarios",
    "orleans_gov.rendu.rendu",
    "orleans_gov.sources.telechargement",
    "orleans_gov.sources.nationaux",
)


def _cmd_echantillon(args) -> int:
    from orleans_gov.echantillon.comptes import empreinte, generer
    chemins = generer(args.dossier_donnees)
    print(f"Données d'exemple écrites : {len(chemins)} fichiers (empreinte {empreinte(args.dossier_donnees)[:12]}).")
    print("Ces données sont SYNTHÉTIQUES : « Données d'exemple — ne pas diffuser ».")
    return 0


def _cmd_donnees(args) -> int:
    from orleans_gov.construction.tables import construire
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
    for nom in MODULES_CLI:
        try:
            module = importlib.import_module(nom)
        except ImportError as exc:
            if exc.name and nom.startswith(exc.name) or (exc.name == nom):
                continue
            raise
        if hasattr(module, "configurer_cli"):
            module.configurer_cli(sub)
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
