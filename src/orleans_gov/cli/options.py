"""The arguments of every ``orleans-gov`` sub-command, declared without importing the code that runs them.

``orleans-gov --help`` and ``orleans-gov <commande> --help`` only build these parsers: nothing here imports pandas,
the construction layer or a sub-command's module. Each parser's ``func`` is a :class:`Differee`, which imports the
sub-command's module (``orleans_gov.cli.<module>``) the first time the command actually runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
from typing import Any

from orleans_gov.base.catalogue import RACINE_PROJET

__all__ = ["Differee", "SOUS_COMMANDES", "configurer", "MEMOIRE_PAR_DEFAUT", "THREADS_PAR_DEFAUT"]

MEMOIRE_PAR_DEFAUT = "1GB"
"""DuckDB defaults of ``extraire``: the same values as :mod:`orleans_gov.sources.nationaux.moteur` (a test checks
it), repeated here so that ``orleans-gov extraire --help`` does not import the extraction package."""
THREADS_PAR_DEFAUT = 2
_DOSSIER = "dossier de données (défaut : $ORLEANS_GOV_DATA ou data/)"


class Differee:
    """The handler ``attribut`` of module ``module``, imported on the first call (``args.func(args)``)."""

    def __init__(self, module: str, attribut: str) -> None:
        self.module, self.attribut = module, attribut

    def cible(self):
        return getattr(importlib.import_module(self.module), self.attribut)

    def __call__(self, args: argparse.Namespace) -> int:
        return self.cible()(args)

    def __repr__(self) -> str:
        return f"Differee({self.module}:{self.attribut})"


def _date(texte: str) -> dt.date:
    try:
        return dt.date.fromisoformat(texte)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ : {texte!r}") from exc


def echantillon(sub: Any) -> None:
    p = sub.add_parser("echantillon", help="(ré)écrit les données d'exemple dans data/raw/sample")
    p.add_argument("--dossier-donnees", default=None, help=_DOSSIER)
    p.set_defaults(func=Differee("orleans_gov.cli.donnees", "commande_echantillon"))


def donnees(sub: Any) -> None:
    p = sub.add_parser("donnees", help="construit data/processed à partir de data/raw")
    p.add_argument("--dossier-donnees", default=None, help=_DOSSIER)
    p.add_argument("--sans-barre", action="store_true", help="sans barre de progression")
    p.add_argument("--tout", action="store_true",
                   help="tout reconstruire, même si data/processed est à jour avec ses entrées")
    p.set_defaults(func=Differee("orleans_gov.cli.donnees", "commande_donnees"))


def collecte(sub: Any) -> None:
    """``orleans-gov collecte {generer,importer,exemple}``."""
    m = "orleans_gov.cli.collecte"
    p = sub.add_parser("collecte", help="classeurs de collecte (génération, import)")
    sp = p.add_subparsers(dest="action", required=True)
    g = sp.add_parser("generer", help="écrire un classeur vierge par entité (22 communes + agglomération)")
    g.add_argument("--sortie", required=True, help="dossier où écrire les classeurs")
    g.add_argument("--annee", type=int, default=2013, help="année de référence (défaut : 2013)")
    g.add_argument("--annees", default=None,
                   help="années des séries dépenses/flux, ex. 2008-2013 ou 2012,2013 (défaut : l'année de référence)")
    g.add_argument("--dossier-donnees", default=None)
    g.set_defaults(func=Differee(m, "_cmd_generer"))
    i = sp.add_parser("importer", help="valider et importer les classeurs retournés (dans <données>/raw/collecte)")
    i.add_argument("dossier", help="dossier des classeurs retournés (.xlsx)")
    i.add_argument("--dossier-donnees", default=None)
    i.set_defaults(func=Differee(m, "_cmd_importer"))
    e = sp.add_parser("exemple", help="(ré)générer les classeurs d'exemple remplis (raw/sample/collecte)")
    e.add_argument("--graine", type=int, default=None)
    e.add_argument("--dossier-donnees", default=None)
    e.set_defaults(func=Differee(m, "_cmd_exemple"))


def scenario(sub: Any) -> None:
    """``orleans-gov scenario FICHIER.yaml``."""
    p = sub.add_parser("scenario", help="projeter un scénario (fichier YAML) sur l'horizon du mandat",
                       description="Projette un scénario (transferts, services communs, pacte financier) "
                                   "pour les 22 communes, l'agglomération et le bloc communal.")
    p.add_argument("fichier", help="fichier de scénario (config/scenarios/*.yaml)")
    p.add_argument("--sortie", default="resultats_scenario", help="dossier de sortie (resultats.csv, parametres.csv)")
    p.add_argument("--dossier-donnees", default=None, help=_DOSSIER)
    p.set_defaults(func=Differee("orleans_gov.cli.scenario", "_commande"))


def rapports(sub: Any) -> None:
    """``orleans-gov rapports``."""
    p = sub.add_parser(
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
    p.set_defaults(func=Differee("orleans_gov.cli.rapports", "_commande"))


def telecharger(sub: Any) -> None:
    """``orleans-gov telecharger``."""
    p = sub.add_parser(
        "telecharger", help="télécharger les données officielles du périmètre (DGFiP, OFGL, geo.api.gouv.fr)",
        description="Télécharge les comptes individuels DGFiP des 22 communes et de l'agglomération, les agrégats "
                    "OFGL et les contours geo.api.gouv.fr ; n'écrit rien si un seul téléchargement échoue.")
    p.add_argument("--sortie", default=None,
                   help="dossier de sortie (défaut : data/raw/reel/telechargements ; data/raw/reel pour alimenter "
                        "directement « make data »)")
    p.add_argument("--annees", nargs="+", type=int, default=None, metavar="AN",
                   help="exercices à télécharger (défaut : tous)")
    p.add_argument("--base-url", default=None,
                   help="URL de base remplaçant celles des trois portails (tests, miroir)")
    p.add_argument("--tentatives", type=int, default=4, help="nombre maximal de tentatives par fichier (défaut : 4)")
    p.add_argument("--delai", type=float, default=1.0,
                   help="délai initial entre tentatives, doublé à chaque échec, en secondes (défaut : 1)")
    p.add_argument("--timeout", type=float, default=60.0, help="délai d'attente réseau en secondes (défaut : 60)")
    p.set_defaults(func=Differee("orleans_gov.cli.telechargement", "commande_telecharger"))


def extraire(sub: Any) -> None:
    """``orleans-gov extraire comptes|balances``."""
    m = "orleans_gov.cli.extraction"
    p = sub.add_parser("extraire", help="extraire le périmètre des fichiers nationaux DGFiP (DuckDB)",
                       description="Extraction mémoire bornée (DuckDB) des 22 communes, de l'agglomération "
                                   "et des références nationales depuis les fichiers DGFiP nationaux.")
    sous = p.add_subparsers(dest="extraction", metavar="{comptes,balances}")
    sous.required = True

    def communs(q: argparse.ArgumentParser) -> None:
        q.add_argument("--sortie", required=True, help="dossier où écrire les fichiers Parquet")
        q.add_argument("--memoire", default=MEMOIRE_PAR_DEFAUT,
                       help=f"plafond mémoire DuckDB (défaut : {MEMOIRE_PAR_DEFAUT})")
        q.add_argument("--threads", type=int, default=THREADS_PAR_DEFAUT,
                       help=f"threads DuckDB (défaut : {THREADS_PAR_DEFAUT})")

    c = sous.add_parser("comptes", help="comptes individuels des communes (fichier national)",
                        description="Extrait les 22 communes (toutes colonnes) et les moyennes de leurs strates d'un "
                                    "fichier national des comptes individuels. Par défaut : les lignes des 22 communes "
                                    "sont entièrement contrôlées ; les moyennes de chaque strate sont lues sur UNE ligne "
                                    "de la strate (la DGFiP les répète sur chaque commune) ; l'égalité de ces moyennes "
                                    "entre communes et les autres lignes du fichier ne sont pas contrôlées "
                                    "(--verifier-strates), les populations nationales ne sont pas écrites "
                                    "(--populations).")
    c.add_argument("fichier", help="fichier national DGFiP des comptes individuels des communes (CSV « ; »)")
    communs(c)
    c.add_argument("--sans-verification", action="store_true",
                   help="ne pas recontrôler les valeurs par habitant et les ratios des 22 communes")
    c.add_argument("--verifier-strates", action="store_true",
                   help="lire tout le fichier pour contrôler que toutes les communes de chaque strate du périmètre "
                        "portent les mêmes moyennes (et valider les colonnes de strate et le nombre de champs de "
                        "chaque ligne) ; plus lent")
    c.add_argument("--populations", action="store_true",
                   help="écrire aussi populations_communes.parquet (population de toutes les communes du fichier, "
                        "entrée de « extraire balances --population ») ; plus lent")
    c.set_defaults(func=Differee(m, "commande_comptes"))
    b = sous.add_parser("balances", help="balances comptables nature × fonction (fichier national)",
                        description="Dépenses réelles de fonctionnement et d'équipement par fonction M14 (budget "
                                    "principal) du périmètre et de toutes les communes du fichier.")
    b.add_argument("fichier", help="fichier national DGFiP des balances comptables (CSV « ; », virgule décimale)")
    communs(b)
    b.add_argument("--population", default=None,
                   help="table de population (populations_communes.parquet d'« extraire comptes --populations », parquet des "
                        "comptes individuels ou CSV INSEE) pour calculer les €/hab et les moyennes de strate")
    b.add_argument("--encodage", default=None, choices=["utf-8", "latin-1"],
                   help="forcer l'encodage (défaut : détecté, ISO-8859-1 sauf UTF-8 avec BOM)")
    b.set_defaults(func=Differee(m, "commande_balances"))


SOUS_COMMANDES = {"echantillon": echantillon, "donnees": donnees, "collecte": collecte, "scenario": scenario,
                  "rapports": rapports, "telecharger": telecharger, "extraire": extraire}
"""Every sub-command (in the order of ``orleans-gov --help``) and the function declaring its arguments."""


def configurer(sub: Any) -> None:
    """Declare every sub-command on ``sub`` (the result of ``ArgumentParser.add_subparsers``)."""
    for declarer in SOUS_COMMANDES.values():
        declarer(sub)
