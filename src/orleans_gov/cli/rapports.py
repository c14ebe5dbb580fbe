"""``orleans-gov rapports``: render the whole deliverable set."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from orleans_gov.base.catalogue import RACINE_PROJET
from orleans_gov.rendu import ErreurSortie, lister_taches, rendre, resume


# ------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------
def _date(texte: str) -> dt.date:
    try:
        return dt.date.fromisoformat(texte)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ : {texte!r}") from exc


def _commande(args: argparse.Namespace) -> int:
    try:
        taches = lister_taches(args.dossier_notebooks, notebooks=args.notebooks, entites=args.entites,
                               dossier_donnees=args.dossier_donnees)
    except (ValueError, KeyError) as exc:
        print(f"erreur : {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    if not taches:
        print(f"aucun carnet à rendre dans {args.dossier_notebooks}", file=sys.stderr)
        return 2
    try:
        dossier, resultats = rendre(taches, sortie=args.sortie, jobs=args.jobs, timeout=args.timeout, pdf=args.pdf,
                                    dossier_donnees=args.dossier_donnees, noyaux_chauds=not args.noyaux_standard,
                                    barre=not args.sans_barre, tout=args.tout, date=args.date)
    except ErreurSortie as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    print(resume(dossier, resultats))
    return 0 if all(r.statut == "ok" for r in resultats) else 1


def configurer_cli(subparsers: Any) -> None:
    """Add ``orleans-gov rapports`` to the CLI."""
    p = subparsers.add_parser(
        "rapports", help="rend tous les livrables (carnets exécutés, pages HTML, index, manifeste)",
        description="Exécute les carnets d'analyse et la fiche commune (22 communes + agglomération) en parallèle "
                    "et produit les livrables HTML autonomes et leurs annexes Excel dans "
                    "reports/<AAAAMMJJ-HHMMSS>/ (lien reports/latest). Un livrable dont aucune entrée n'a changé "
                    "(carnet, paramètres, code, versions, données lues) est copié du rendu précédent.")
    p.add_argument("--notebooks", nargs="+", metavar="CARNET",
                   help="carnets à rendre (nom, ou motif : 01*, 10_fiche_commune) ; défaut : tous")
    p.add_argument("--entites", nargs="+", metavar="CODE",
                   help="entités des fiches (codes INSEE ou SIREN 244500468) ; défaut : les 22 communes et l'agglomération")
    p.add_argument("--jobs", "-j", type=int, default=None, help="carnets exécutés en parallèle (défaut : nombre de cœurs)")
    p.add_argument("--pdf", action="store_true",
                   help="imprime aussi chaque page en PDF avec Chromium headless (sommaire et numéros de page)")
    p.add_argument("--tout", action="store_true",
                   help="rend tous les livrables, même ceux dont les entrées n'ont pas changé depuis un rendu "
                        "précédent (par défaut ceux-là sont copiés de ce rendu)")
    p.add_argument("--date", type=_date, default=None, metavar="AAAA-MM-JJ",
                   help="date imprimée sur les livrables (défaut : $SOURCE_DATE_EPOCH, sinon aujourd'hui)")
    p.add_argument("--sortie", default=str(RACINE_PROJET / "reports"), help="dossier des rendus (défaut : reports/)")
    p.add_argument("--dossier-donnees", default=None,
                   help="dossier de données (défaut : $ORLEANS_GOV_DATA, sinon data/ du dépôt)")
    p.add_argument("--timeout", type=float, default=1800, metavar="S",
                   help="durée maximale d'un carnet en secondes (défaut : 1800)")
    p.add_argument("--dossier-notebooks", default=str(RACINE_PROJET / "notebooks"), help=argparse.SUPPRESS)
    p.add_argument("--noyaux-standard", action="store_true",
                   help="noyaux Jupyter ordinaires (sans le serveur de noyaux préchauffés)")
    p.add_argument("--sans-barre", action="store_true", help="sans barre de progression")
    p.set_defaults(func=_commande)


def main(argv: list[str] | None = None) -> int:
    """``python -m orleans_gov.cli.rapports`` (same options as ``orleans-gov rapports``)."""
    parser = argparse.ArgumentParser(prog="orleans_gov.cli.rapports")
    sous = parser.add_subparsers(dest="commande", required=True)
    configurer_cli(sous)
    args = parser.parse_args(["rapports", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
