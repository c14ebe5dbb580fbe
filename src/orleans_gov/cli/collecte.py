"""``orleans-gov collecte {generer,importer,exemple}``: collection workbooks (blank, filled sample, import)."""
from __future__ import annotations

import sys
from pathlib import Path

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.cli import options
from orleans_gov.construction import construire
from orleans_gov.construction.collecte import TABLES_PROPRES, domaines, dossier_exemple, regenerer_classeurs_exemple
from orleans_gov.sources.classeurs import modele as classeurs
from orleans_gov.restitution.textes import accorde
from orleans_gov.sources.classeurs.lecture import importer_dossier


def _annees(texte: str | None, defaut: int) -> list[int]:
    if not texte:
        return [defaut]
    if "-" in texte:
        a, b = texte.split("-", 1)
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in texte.split(",")]


def _cmd_generer(args) -> int:
    cat = Catalogue.depuis(args.dossier_donnees)
    try:
        doms = classeurs.domaines_competences(cat.competences)
    except ErreurDonnees as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    chemins = classeurs.generer_classeurs(args.sortie, args.annee, domaines=doms,
                                          annees_series=_annees(args.annees, args.annee))
    print(f"{len(chemins)} classeurs écrits dans {Path(args.sortie).resolve()}")
    return 0


def _cmd_exemple(args) -> int:
    cat = Catalogue.depuis(args.dossier_donnees)
    chemins = regenerer_classeurs_exemple(cat, args.graine)
    print(f"{len(chemins)} classeurs d'exemple (remplis) écrits dans {dossier_exemple(cat)}")
    return 0


def _cmd_importer(args) -> int:
    cat = Catalogue.depuis(args.dossier_donnees)
    try:
        rapport = importer_dossier(args.dossier, cat.collecte, domaines=domaines(cat), fusion=True)
    except ErreurDonnees as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(rapport.resume())
    if rapport.importes:
        construire(cat.racine, tables=TABLES_PROPRES)
        print(f"Tables reconstruites : {', '.join(TABLES_PROPRES)} (dépenses par fonction et flux : "
              "relancer « orleans-gov donnees »).")
    if rapport.refuses:
        n = len(rapport.refuses)
        print(f"{n} {accorde(n, 'classeur')} {accorde(n, 'refusé')} : corriger puis relancer l'import.", file=sys.stderr)
        return 1
    return 0


def configurer_cli(subparsers) -> None:
    """``orleans-gov collecte {generer,importer,exemple}`` (arguments declared in :mod:`orleans_gov.cli.options`)."""
    options.collecte(subparsers)
