"""``extraire balances``: real spending by M14 function from the national DGFiP balances comptables with the
crossed nature × fonction presentation (docs/FORMATS.md §4: ISO-8859-1, ``;``, decimal comma, upper- or
lower-case header). See :func:`extraire_balances` for the exact definitions of real spending.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import chemin_temporaire
from orleans_gov.base.provenance import REEL
from orleans_gov.base.territoire import CODES_INSEE, DEP_DGFIP, SIREN_AGGLO
from orleans_gov.sources.nationaux.lecture import icoms_perimetre, lire_entete, verifier_fichier, verifier_requises
from orleans_gov.sources.nationaux.moteur import (MEMOIRE_PAR_DEFAUT, THREADS_PAR_DEFAUT, connexion, erreur_duckdb,
                                                  source_csv, sql_code_insee)
from orleans_gov.sources.nationaux.progression import suivre_requete
from orleans_gov.sources.nationaux.populations import lire_population
from orleans_gov.sources.nationaux.rapport import Rapport, copier_parquet, verifier_dossier_sortie

if TYPE_CHECKING:   # duckdb, pandas and pyarrow are imported where used (the scan starts before pandas)
    import duckdb
    import pandas as pd

ENTETE_BALANCES = ("EXER;IDENT;NDEPT;LBUDG;MODVTHEL;INSEE;CBUDG;CTYPE;CSTYP;NOMEN;siren;CREGI;CACTI;SECTEUR;FINESS;"
                   "CODBUD1;CATEG;BAL;FONCTION;COMPTE;BEDEB;BECRE;OBNETDEB;OBNETCRE;ONBDEB;ONBCRE;OOBDEB;OOBCRE;SD;SC"
                   ).split(";")
"""Header of the DGFiP nature × fonction balance files (the API exports spell it in lower case)."""
MONTANTS_BALANCES = ("bedeb", "becre", "obnetdeb", "obnetcre", "onbdeb", "onbcre", "oobdeb", "oobcre", "sd", "sc")
REQUISES_BALANCES = ("exer", "ndept", "insee", "cbudg", "nomen", "siren", "fonction", "compte", "obnetdeb", "oobdeb")

SQL_SECTION = (
    "CASE WHEN compte LIKE '6%' AND compte NOT LIKE '675%' AND compte NOT LIKE '676%' THEN 'fonctionnement' "
    "WHEN compte LIKE '20%' OR compte LIKE '21%' OR compte LIKE '23%' THEN 'investissement' END")
"""Account filter of :func:`extraire_balances` (M14 nature accounts, leaf accounts of the balance)."""

def moyennes_fonction(communes: pd.DataFrame, population: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join populations to the per-commune totals and compute strata means by function.

    Strata mean (DGFiP convention for the « moyenne de la strate »): Σ amounts of the communes of the band ÷
    Σ their populations, in €/hab, per (``an``, ``strate``, ``fonction``, ``section``). Only communes that
    present at least one functional line that year (``fonction`` not missing) and have a population count;
    a commune without spending in one function still counts in the band's population (amount 0).
    Returns (communes with ``population``, ``strate``, ``euros_par_hab``; strata means).
    """
    pop_an = population[population["an"].notna()].drop_duplicates(["code_insee", "an"])
    pop_sans = population[population["an"].isna()].drop_duplicates(["code_insee"])
    c = communes.copy()
    c["an"] = c["an"].astype("int64")
    j = c.merge(pop_an.astype({"an": "int64"}), on=["code_insee", "an"], how="left")
    if not pop_sans.empty:
        j2 = c.merge(pop_sans.drop(columns="an"), on="code_insee", how="left")
        j["population"] = j["population"].fillna(j2["population"])
        j["strate"] = j["strate"].fillna(j2["strate"])
    j["euros_par_hab"] = j["montant"] * 1000.0 / j["population"].where(j["population"] > 0)
    ventilees = j[j["fonction"].notna() & j["population"].notna() & (j["population"] > 0)]
    base = ventilees[["code_insee", "an", "strate", "population"]].drop_duplicates(["code_insee", "an"])
    pop_strate = base.groupby(["an", "strate"], as_index=False).agg(nb_communes=("code_insee", "nunique"),
                                                                     population=("population", "sum"))
    sommes = ventilees.groupby(["an", "strate", "fonction", "section"], as_index=False)["montant"].sum()
    m = sommes.merge(pop_strate, on=["an", "strate"], how="left")
    m["euros_par_hab"] = m["montant"] * 1000.0 / m["population"]
    m = m[["an", "strate", "fonction", "section", "nb_communes", "population", "montant", "euros_par_hab"]]
    return j, m.sort_values(["an", "strate", "fonction", "section"]).reset_index(drop=True)


_EST_COMMUNE = "(siren LIKE '21%')"
"""Communes: SIREN starting with 21 (INSEE numbering of the communes; EPCI 24/20, syndicats 25, CCAS 26 …)."""


def _sql_groupes(src: str, siren_agglo: str) -> str:
    """The one streamed scan of ``src``: cheap row filters (budget principal, commune or agglomeration, spending
    account), then GROUP BY on the raw codes. Everything derived from the codes (:func:`_sql_cles`: commune
    flag, code INSEE, year check, nomenclature family, perimeter flag) is computed on the few hundred
    thousand groups afterwards, not on the 3 million lines; the commune flag, a function of ``siren``, is not
    a grouping key (measured: each extra key costs ≈ 5 % of the scan, bench/RESULTS_extraction.md)."""
    return f"""
        SELECT siren, ndept, insee, exer, nomen, fonction, section,
               sum(coalesce(obnetdeb, 0) - coalesce(oobdeb, 0)) AS montant_euros, count(*) AS lignes
        FROM (
            SELECT siren, ndept, insee, exer, nomen, left(ltrim(fonction), 1) AS fonction,
                   {SQL_SECTION} AS section, obnetdeb, oobdeb
            FROM {src}
            WHERE cbudg IN ('1', '01') AND ({_EST_COMMUNE} OR siren = '{siren_agglo}')
        )
        WHERE section IS NOT NULL
        GROUP BY ALL
    """


def _sql_cles(icoms: Sequence[str], siren_agglo: str, groupes: str) -> str:
    """Table ``d``: derived keys on the groups ``g`` of the query ``groupes`` (:func:`_sql_groupes`; same
    rules as :func:`orleans_gov.base.territoire.code_insee_depuis_dgfip`), nomenclature family, perimeter flag,
    and ``entite`` (code INSEE of a commune, SIREN otherwise). One statement with the scan: the groups are not
    materialised in a table of their own first (measured ≈ 0.2 s CPU less, bench/RESULTS_extraction.md)."""
    liste_icoms = ", ".join(f"'{i}'" for i in icoms)
    return f"""
        CREATE OR REPLACE TEMP TABLE d AS
        SELECT est_commune, siren, code_insee, exer, an, famille, fonction, section, montant_euros, lignes,
               CASE WHEN est_commune THEN code_insee ELSE siren END AS entite,
               (est_commune AND dep = '{DEP_DGFIP}' AND ins IN ({liste_icoms})) OR siren = '{siren_agglo}'
                   AS perimetre
        FROM (
            SELECT {_EST_COMMUNE} AS est_commune, trim(siren) AS siren, lpad(trim(ndept), 3, '0') AS dep,
                   lpad(trim(insee), 3, '0') AS ins, {sql_code_insee("lpad(trim(ndept), 3, '0')",
                                                                     "lpad(trim(insee), 3, '0')")} AS code_insee,
                   trim(exer) AS exer,
                   CASE WHEN regexp_full_match(trim(exer), '[0-9]{{4}}') THEN CAST(trim(exer) AS BIGINT) END AS an,
                   CASE WHEN upper(trim(nomen)) LIKE 'M14%' THEN 'M14' WHEN upper(trim(nomen)) LIKE 'M57%' THEN 'M57'
                        ELSE 'autre' END AS famille,
                   CASE WHEN fonction BETWEEN '0' AND '9' THEN fonction END AS fonction, section,
                   montant_euros, lignes
            FROM ({groupes}) g)"""


def _prechauffer() -> None:
    """Import what the steps after the scan need with ``--population`` (pandas, pyarrow, its Parquet writer:
    ≈ 0.4 s CPU) while DuckDB scans the file in its own threads (GIL released): run by :func:`_agreger` during
    the scan, so that the command does not pay these imports on top of it. Without ``--population`` nothing
    after the scan needs pandas (both outputs are written by DuckDB, :func:`copier_parquet`)."""
    import pandas  # noqa: F401  heavy third-party imports, loaded here on purpose (docstring)
    import pyarrow.parquet  # noqa: F401


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """Result of ``sql`` as a pandas frame through Arrow: text columns as ``string`` (pd.NA), integers as
    int64 — the dtypes the outputs always had, without the row-by-row conversion of ``.df()`` then
    ``astype`` (measured on the 390 000 commune totals of the bench file: ≈ 0.45 s CPU on top of the query,
    against ≈ 0.05 s for Arrow → pandas)."""
    import pandas as pd  # heavy third-party imports kept lazy (loaded during the scan: _prechauffer)
    import pyarrow as pa

    texte = pd.StringDtype()
    return con.sql(sql).to_arrow_table().to_pandas(
        types_mapper=lambda t: texte if (pa.types.is_string(t) or pa.types.is_large_string(t)
                                         or pa.types.is_string_view(t)) else None)


DTYPES_COMMUNES = {"code_insee": "string", "an": "int64", "fonction": "string", "section": "string",
                   "montant": "float64"}
"""Columns and dtypes of ``depenses_fonction_communes.parquet`` (without population)."""
DTYPES_PERIMETRE = {"entite": "string", "an": "int64", "fonction": "string", "section": "string",
                    "montant": "float64", "provenance": "string"}
"""Columns and dtypes of ``depenses_fonction_perimetre.parquet``."""
_SQL_PERIMETRE = ("SELECT entite, an, fonction, section, sum(montant_euros) / 1000.0 AS montant, "
                  f"'{REEL}' AS provenance FROM d WHERE famille = 'M14' AND perimetre GROUP BY ALL "
                  "ORDER BY entite, an, section, fonction NULLS FIRST")
_SQL_COMMUNES = ("SELECT code_insee, an, fonction, section, sum(montant_euros) / 1000.0 AS montant "
                 "FROM d WHERE famille = 'M14' AND est_commune GROUP BY ALL "
                 "ORDER BY code_insee, an, section, fonction NULLS FIRST")


def _agreger(chemin: Path, types: dict[str, str], essais: list[str], icoms: list[str], siren_agglo: str,
             rapport: Rapport, *, memoire: str, threads: int, dossier_temp: str | os.PathLike | None,
             perimetre_vers: Path, communes_vers: Path | None = None
             ) -> tuple[list[tuple], list[str], int, pd.DataFrame | None, int, int]:
    """The DuckDB work of :func:`extraire_balances`: the perimeter totals are written by DuckDB to
    ``perimetre_vers``, the commune totals to ``communes_vers`` or, when it is None (``--population``), returned
    as a pandas frame (:func:`copier_parquet`: read back, the same frames as ``to_parquet`` of the results).
    Returns (per non-M14 family: lines, lines of the perimeter, entities of the perimeter; entities of the
    perimeter with M14 totals; number of perimeter totals; commune totals or None; number of commune totals;
    of them without function), amounts in k€. pandas is imported only in the ``--population`` case."""
    import duckdb  # heavy third-party import, kept lazy (see orleans_gov.sources.nationaux.moteur)

    con = connexion(memoire, threads, dossier_temp)
    try:
        for k, enc in enumerate(essais):
            sql = _sql_cles(icoms, siren_agglo,
                            _sql_groupes(source_csv(chemin, types, encodage=enc, decimale=","), siren_agglo))
            try:
                suivre_requete(con, lambda: con.execute(sql), f"lecture de {chemin.name}",
                               _prechauffer if communes_vers is None else None)
                break
            except duckdb.Error as exc:
                if k + 1 < len(essais) and "unicode" in str(exc).lower():
                    rapport.remarques.append("octets non ASCII dans les colonnes lues : relu en ISO-8859-1")
                    continue
                raise erreur_duckdb(exc, chemin, decimale=",") from None
        if con.execute("SELECT count(*) FROM d").fetchone()[0] == 0:
            raise ErreurDonnees("aucune ligne de dépense (comptes 6, 20, 21, 23) du budget principal (CBUDG = 1) "
                                "d'une commune ou de l'agglomération", fichier=chemin, colonne="cbudg")
        mauvais = con.execute("SELECT exer FROM d WHERE an IS NULL LIMIT 1").fetchone()
        if mauvais:
            raise ErreurDonnees("exercice attendu sur 4 chiffres", fichier=chemin, colonne="exer", valeur=mauvais[0])
        # ORDER BY of the outputs: the Arrow export keeps it only with insertion order preserved (off for the scan)
        con.execute("SET preserve_insertion_order=true")
        stats = con.execute("SELECT famille, sum(lignes), sum(lignes) FILTER (WHERE perimetre), "
                            "list(DISTINCT entite ORDER BY entite) FILTER (WHERE perimetre) FROM d "
                            "WHERE famille <> 'M14' GROUP BY famille").fetchall()
        n_perim = copier_parquet(con, _SQL_PERIMETRE, perimetre_vers, DTYPES_PERIMETRE)
        entites = [e for (e,) in con.execute("SELECT DISTINCT entite FROM d WHERE famille = 'M14' AND perimetre "
                                             "ORDER BY entite").fetchall()]
        if communes_vers is None:
            communes = _frame(con, _SQL_COMMUNES)
            n, sans_fonction = len(communes), int(communes["fonction"].isna().sum())
        else:
            communes = None
            n = copier_parquet(con, _SQL_COMMUNES, communes_vers, DTYPES_COMMUNES)
            sans_fonction = con.execute("SELECT count(*) FROM (SELECT DISTINCT code_insee, an, section FROM d "
                                        "WHERE famille = 'M14' AND est_commune AND fonction IS NULL)").fetchone()[0]
    finally:
        con.close()
    return stats, entites, n_perim, communes, n, sans_fonction


def _remarques_nomenclatures(stats: list[tuple], rapport: Rapport) -> None:
    """Report the spending lines left out because they are not M14 (M57 functions are numbered otherwise)."""
    for famille, n, n_per, entites in stats:
        if famille == "M57":
            rapport.remarques.append(
                f"{int(n)} lignes M57 de dépenses (budget principal, comptes retenus) écartées, dont {int(n_per or 0)} "
                f"du périmètre ({', '.join(entites or []) or 'aucune entité'}) : les fonctions M57 sont numérotées "
                "autrement que celles de la M14 et ne sont pas mélangées")
        else:
            rapport.remarques.append(f"{int(n)} lignes d'une autre nomenclature que M14/M57 écartées")


def extraire_balances(fichier: str | os.PathLike, sortie: str | os.PathLike, *,
                      population: str | os.PathLike | None = None, codes_insee: Sequence[str] = CODES_INSEE,
                      siren_agglo: str = SIREN_AGGLO, memoire: str = MEMOIRE_PAR_DEFAUT,
                      threads: int = THREADS_PAR_DEFAUT, encodage: str | None = None,
                      dossier_temp: str | os.PathLike | None = None) -> Rapport:
    """Real spending by M14 function from a national DGFiP nature × fonction balance file.

    Definitions (instruction budgétaire et comptable M14; balance fields of docs/FORMATS.md §4):

    - ``OBNETDEB`` = budgetary debit operations net of cancellations (mandats émis − annulés), ``OOBDEB`` =
      the order operations (opérations d'ordre budgétaires) included in them. **Real spending of an expense
      account = OBNETDEB − OOBDEB** (real budgetary debits). Credits on class 6 accounts (e.g. 6419,
      atténuations de charges) are revenue in M14 and are *not* subtracted; ``OBNETCRE`` is not used.
    - **fonctionnement** = class 6 accounts (``COMPTE`` starting with 6) except 675 (valeur comptable des
      immobilisations cédées) and 676 (différences sur réalisations transférées en investissement): in M14
      both only ever carry order entries (chapter 042, disposals); they are excluded explicitly in case an
      order entry is not flagged in ``OOBDEB``. Class 68 (dotations) stays in: its order part is removed by
      ``OOBDEB`` while semi-budgetary provisions, which are real, remain.
    - **investissement** = dépenses d'équipement: accounts 20 (immobilisations incorporelles, including 204
      subventions d'équipement versées), 21 (immobilisations corporelles), 23 (immobilisations en cours),
      real debits as above (transfers 23 → 21 and 2031 → 21/23 are order entries, removed by ``OOBDEB``).
      Debt repayment (16), financial assets (26/27) and third-party operations (45) are excluded.
    - ``fonction`` = first digit of ``FONCTION`` (M14 top-level function, :data:`orleans_gov.base.nomenclatures.FONCTIONS_M14`; ``01``
      « opérations non ventilables » falls under 0). Lines without function (functional presentation
      compulsory only from 3 500 inhabitants) get a missing ``fonction``.
    - scope: budget principal only (``CBUDG`` = 1), M14 only (``NOMEN`` starting with M14). M57 lines are
      counted and reported, never mixed (the M57 functions are numbered differently).
    - communes: ``siren`` starting with 21 (the INSEE numbers every commune 21…; CCAS 26…, syndicats 25…,
      EPCI 24…/20… share the commune's ``INSEE`` but not its SIREN prefix); ``code_insee`` =
      ``NDEPT`` (3 characters) + ``INSEE`` (3 characters), e.g. 045 + 234 → 45234. Perimeter: our 22 codes;
      agglomeration: ``siren`` = 244500468.

    Outputs (amounts in k€): ``depenses_fonction_perimetre.parquet`` (``entite``, ``an``, ``fonction``,
    ``section``, ``montant``, ``provenance``), ``depenses_fonction_communes.parquet`` (``code_insee``, ``an``,
    ``fonction``, ``section``, ``montant`` and, when ``population`` is given, ``population``, ``strate``,
    ``euros_par_hab``) and, with ``population``, ``moyennes_fonction_strates.parquet``
    (:func:`moyennes_fonction`).
    """
    t0 = time.perf_counter()
    chemin, sortie = Path(fichier), Path(sortie)
    verifier_dossier_sortie(sortie)
    if population is not None:
        verifier_fichier(Path(population), "fichier de population")
    entete = lire_entete(chemin, minuscules=True, encodage=encodage)
    colonnes = list(entete.colonnes)
    verifier_requises(colonnes, REQUISES_BALANCES, chemin)
    types = {c: ("DOUBLE" if c in MONTANTS_BALANCES else "VARCHAR") for c in colonnes}
    # The columns read (codes, amounts) are ASCII in the official files; DuckDB validates the encoding only on
    # the columns it reads, so ISO-8859-1 files are first read in UTF-8 mode (about 1.5× faster than DuckDB's
    # latin-1 transcoding; LBUDG, the only accented column, is never read) and read again as latin-1 if a
    # column read holds a non-ASCII byte. UTF-8 files (API exports, with BOM) are read as UTF-8.
    if encodage:
        essais = [encodage]
    else:
        essais = ["utf-8"] if entete.encodage == "utf-8" else ["utf-8", "latin-1"]
    rapport = Rapport(encodage=entete.encodage if not encodage else encodage)
    # without population the commune totals go straight from DuckDB to a temporary Parquet file next to the
    # target (copier_parquet), installed with the other outputs by Rapport.ecrire
    cree = not sortie.exists()
    tmp_perim = chemin_temporaire(sortie / "depenses_fonction_perimetre.parquet")
    tmp = chemin_temporaire(sortie / "depenses_fonction_communes.parquet") if population is None else None
    try:
        stats, entites, n_perim, communes, n_communes, sans_fonction = _agreger(
            chemin, types, essais, icoms_perimetre(codes_insee), siren_agglo, rapport, memoire=memoire,
            threads=threads, dossier_temp=dossier_temp, perimetre_vers=tmp_perim, communes_vers=tmp)
        _remarques(rapport, stats, entites, codes_insee, siren_agglo, sans_fonction, chemin)
        ecrits = {"depenses_fonction_perimetre": (tmp_perim, n_perim)}
        sorties: dict[str, pd.DataFrame] = {}
        if population is not None:
            pops = lire_population(population)
            communes, moyennes = moyennes_fonction(communes, pops)
            sorties["depenses_fonction_communes"] = communes
            sorties["moyennes_fonction_strates"] = moyennes
            sans_pop = communes.loc[communes["population"].isna(), "code_insee"].nunique()
            if sans_pop:
                rapport.remarques.append(f"{sans_pop} commune(s) sans population dans {Path(population).name} : "
                                         "exclues des moyennes de strate")
        else:
            rapport.remarques.append("aucune population fournie (--population) : montants seulement, pas de €/hab "
                                     "ni de moyennes de strate par fonction")
        if tmp is not None:
            ecrits["depenses_fonction_communes"] = (tmp, n_communes)
        rapport.ecrire(sortie, sorties, ecrits)
    except BaseException:
        for t in (tmp_perim, tmp):
            if t is not None:
                t.unlink(missing_ok=True)
        if cree:
            try:
                sortie.rmdir()
            except OSError:
                pass
        raise
    return rapport.terminer(t0)


def _remarques(rapport: Rapport, stats: list[tuple], entites: Sequence[str], codes_insee: Sequence[str],
               siren_agglo: str, sans_fonction: int, chemin: Path) -> None:
    """Remarks of :func:`extraire_balances` (``entites``: those of the perimeter with M14 totals);
    :class:`ErreurDonnees` when no entity of the perimeter is there."""
    _remarques_nomenclatures(stats, rapport)
    absentes = sorted(set(codes_insee) | {siren_agglo})
    absentes = [e for e in absentes if e not in set(entites)]
    if not entites:
        raise ErreurDonnees(f"aucune entité du périmètre dans le fichier ({len(absentes)} attendues : communes de "
                            f"NDEPT {DEP_DGFIP} et INSEE parmi {len(codes_insee)} numéros, ou SIREN {siren_agglo}, "
                            "budget principal M14) : fichier d'un autre département ?", fichier=chemin,
                            colonne="insee")
    if absentes:
        rapport.remarques.append(f"entité(s) du périmètre sans dépense M14 de budget principal dans le fichier : "
                                 f"{', '.join(absentes)}")
    if sans_fonction:
        rapport.remarques.append(f"{sans_fonction} totaux communaux sans fonction (présentation fonctionnelle non "
                                 "obligatoire sous 3 500 hab) : fonction manquante, exclus des moyennes de strate")
