"""``orleans-gov extraire comptes|balances``: extract the perimeter from the national DGFiP files."""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.sources.nationaux import (MEMOIRE_PAR_DEFAUT, THREADS_PAR_DEFAUT, Rapport, extraire_balances,
                                           extraire_comptes)


def _lancer(extraction: Callable[..., Rapport], *args, **kwargs) -> int:
    """Run one extraction: its report on stdout and 0, the French data error on stderr and 1, or 130 on Ctrl-C
    (the outputs are written all or nothing: :meth:`Rapport.ecrire`)."""
    try:
        r = extraction(*args, **kwargs)
    except ErreurDonnees as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Extraction interrompue (Ctrl-C) : aucun fichier de sortie n'a été remplacé.", file=sys.stderr)
        return 130
    print(r.texte())
    return 0


def commande_comptes(args: argparse.Namespace) -> int:
    """``orleans-gov extraire comptes FICHIER --sortie DIR``."""
    return _lancer(extraire_comptes, args.fichier, args.sortie, memoire=args.memoire, threads=args.threads,
                   verifier=not args.sans_verification, verifier_strates=args.verifier_strates,
                   populations=args.populations)


def commande_balances(args: argparse.Namespace) -> int:
    """``orleans-gov extraire balances FICHIER --sortie DIR [--population FICHIER]``."""
    return _lancer(extraire_balances, args.fichier, args.sortie, population=args.population, memoire=args.memoire,
                   threads=args.threads, encodage=args.encodage)


def configurer_cli(subparsers) -> None:
    """Register ``extraire comptes`` and ``extraire balances`` on the ``orleans-gov`` command line."""
    p = subparsers.add_parser("extraire", help="extraire le périmètre des fichiers nationaux DGFiP (DuckDB)",
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
    c.set_defaults(func=commande_comptes)

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
    b.set_defaults(func=commande_balances)
