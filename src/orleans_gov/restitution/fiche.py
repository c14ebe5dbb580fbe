"""Building blocks of the « fiche commune » (notebooks/10_fiche_commune.ipynb): one entity's portrait.

The fiche is rendered 23 times (22 communes + the agglomeration) by ``orleans-gov rapports``. Its notebook stays
thin: the sections (:mod:`orleans_gov.restitution.fiche_sections`) call these functions, which select the entity's
rows in the outputs of the analysis modules (:mod:`orleans_gov.analyse.finances`, :mod:`~orleans_gov.analyse.strates`,
:mod:`~orleans_gov.analyse.organisations`, :mod:`~orleans_gov.analyse.politiques`, :mod:`orleans_gov.scenarios`) and
shape them as tables whose columns are vocabulary names.

Graceful degradation: when a table or an analysis function is not available, :class:`SectionIndisponible` is
raised with a French explanation, which the notebook prints in place of the section (never silent zeros).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from orleans_gov.analyse.colonnes import somme_stricte
from orleans_gov.base import vocabulaire
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.provenance import EXEMPLE, REEL
from orleans_gov.base.territoire import SIREN_AGGLO, nom_entite, verifier_entite
from orleans_gov.restitution.chargement import SectionIndisponible, charger
from orleans_gov.restitution.finances import texte_classe_capacite
from orleans_gov.restitution.formats import fmt_eur_hab, fmt_nombre, fmt_pct, fmt_unite
from orleans_gov.restitution.politiques import libelle_fonction
from orleans_gov.restitution.scenarios.tableaux import colonnes_effets, tableau_effets_communes
from orleans_gov.restitution.textes import dans_phrase, entete_annee, ordinal

__all__ = ["SectionIndisponible", "charger_table", "fonction_analyse", "module_analyse", "est_agglo", "Identite",
           "identite", "LIGNES_FINANCES", "tableau_finances", "tableau_ratios", "series_finances",
           "tableau_personnel", "texte_personnel", "depenses_politiques", "effets_scenarios",
           "fonctions_support_entite", "ordinal", "phrases_synthese"]


def charger_table(nom: str, dossier=None) -> pd.DataFrame:
    """Processed table ``nom`` or :class:`SectionIndisponible` saying which table is missing and why."""
    try:
        return charger(nom, dossier)
    except (ErreurDonnees, FileNotFoundError, OSError) as exc:
        raise SectionIndisponible(f"la table « {nom} » n'est pas disponible ({exc})") from exc


def module_analyse(module: str):
    """``orleans_gov.<module>`` or :class:`SectionIndisponible` when it does not exist (yet)."""
    try:
        return importlib.import_module(f"orleans_gov.{module}")
    except ImportError as exc:
        raise SectionIndisponible(f"le module d'analyse orleans_gov.{module} n'est pas disponible ({exc})") from exc


def fonction_analyse(module: str, nom: str) -> Callable[..., Any]:
    """``orleans_gov.<module>.<nom>`` or :class:`SectionIndisponible` when it does not exist (yet)."""
    try:
        return getattr(module_analyse(module), nom)
    except (SectionIndisponible, AttributeError) as exc:
        raise SectionIndisponible(f"la fonction d'analyse orleans_gov.{module}.{nom} n'est pas disponible") from exc


def est_agglo(entite: str) -> bool:
    return verifier_entite(entite) == SIREN_AGGLO


def _lignes(df: pd.DataFrame, entite: str, annee: int | None = None) -> pd.DataFrame:
    d = df[df["entite"].astype(str) == entite]
    return d if annee is None else d[d["an"] == annee]


# ------------------------------------------------------------------------------------------------
# 1. Identity
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Identite:
    entite: str
    nom: str
    niveau: str
    code_insee: str | None
    siren: str | None
    annee: int
    population: float
    statut_population: str | None
    strate: str | None
    rang_population: int | None       # 1 = most populated of the 22 communes (None for the agglomeration)
    part_population: float            # share of the agglomeration's population (fraction), NaN if unknown
    population_agglo: float


def identite(entite: str, territoire: pd.DataFrame, annee: int) -> Identite:
    """Identity card of ``entite`` in year ``annee`` from the ``territoire`` table (docs/TABLES.md).

    ``part_population`` = population / Σ population of the 22 communes (the agglomeration's own row is not used
    for the denominator so that the shares of the communes add up to 1).
    """
    entite = verifier_entite(entite)
    t = territoire[territoire["an"] == annee]
    if t.empty:
        raise SectionIndisponible(f"la table « territoire » n'a pas de ligne pour {annee}")
    ligne = t[t["entite"].astype(str) == entite]
    if ligne.empty:
        raise SectionIndisponible(f"la table « territoire » n'a pas de ligne pour {nom_entite(entite)} en {annee}")
    r = ligne.iloc[0]
    communes = t[t["niveau"] == "commune"]
    total = float(communes["population"].sum(min_count=len(communes)))
    pop = float(r["population"]) if pd.notna(r["population"]) else np.nan
    rang = None
    if r["niveau"] == "commune" and pd.notna(pop):
        rang = int((communes["population"] > pop).sum()) + 1
    part = pop / total if (total and not np.isnan(total) and not np.isnan(pop)) else np.nan
    return Identite(entite=entite, nom=nom_entite(entite), niveau=str(r["niveau"]),
                    code_insee=None if pd.isna(r["code_insee"]) else str(r["code_insee"]),
                    siren=None if pd.isna(r["siren"]) else str(r["siren"]), annee=int(annee), population=pop,
                    statut_population=None if pd.isna(r["statut_population"]) else str(r["statut_population"]),
                    strate=None if pd.isna(r.get("strate_dgfip", np.nan)) else str(r["strate_dgfip"]),
                    rang_population=rang, part_population=part, population_agglo=total)


# ------------------------------------------------------------------------------------------------
# 2. Finances
# ------------------------------------------------------------------------------------------------
LIGNES_FINANCES: list[tuple[str, str]] = [
    # (indicator of analyse.finances.indicateurs_entites — its label is the row's —, DGFiP field of the strata
    # comparison)
    ("rrf", "prod"), ("drf", "charge"), ("personnel", "perso"), ("impots_directs", "impo1"), ("dgf", "dgf"),
    ("epargne_brute", "caf"), ("epargne_nette", "cafn"), ("equipement", "equip"), ("encours_dette", "dette"),
]


def tableau_finances(entite: str, indicateurs: pd.DataFrame, comparaison: pd.DataFrame | None,
                     annee: int) -> pd.DataFrame:
    """Key amounts of ``entite`` in ``annee``: ``montant`` (k€), ``valeur_eur_hab``, ``moyenne_strate_eur_hab`` and
    ``indice_strate`` (100 = strata), one row per indicator (its label).

    ``indicateurs``: :func:`orleans_gov.analyse.finances.indicateurs_entites`; ``comparaison``:
    :func:`~orleans_gov.analyse.strates.comparaison_strate` (communes only: the agglomeration has no DGFiP
    strata, its strata columns are NaN). €/hab. = k€ × 1 000 / population of the accounts when the comparison does
    not give it.
    """
    d = _lignes(indicateurs, entite, annee)
    if d.empty:
        raise SectionIndisponible(f"pas de comptes pour {nom_entite(entite)} en {annee}")
    r = d.iloc[0]
    c = pd.DataFrame()
    if comparaison is not None and len(comparaison):
        c = _lignes(comparaison, entite, annee).set_index("champ")
    pop = float(r["population"]) if pd.notna(r.get("population", np.nan)) else np.nan
    lignes = []
    for ind, champ in LIGNES_FINANCES:
        montant = float(r[ind]) if ind in r and pd.notna(r[ind]) else np.nan
        par_hab = montant * 1000.0 / pop if pop and not np.isnan(pop) else np.nan
        moyenne = indice = np.nan
        if champ in c.index:
            v = c.loc[champ, "valeur_eur_hab"]
            par_hab = float(v) if pd.notna(v) else par_hab
            moyenne = float(c.loc[champ, "moyenne_strate_eur_hab"])
            indice = float(c.loc[champ, "indice"])
        lignes.append({"indicateur": vocabulaire.libelle(ind), "montant": montant, "valeur_eur_hab": par_hab,
                       "moyenne_strate_eur_hab": moyenne, "indice_strate": indice})
    out = pd.DataFrame(lignes).set_index("indicateur")
    out.index.name = vocabulaire.libelle("indicateur")
    out["provenance"] = r.get("provenance", pd.NA)
    return out


RATIOS_FICHE = (("taux_epargne_brute", "épargne brute / recettes de fonctionnement"),
                ("taux_epargne_nette", "épargne nette / recettes de fonctionnement"),
                ("capacite_desendettement", "encours / épargne brute"),
                ("rigidite_charges", "(personnel + contingents + intérêts) / recettes de fonctionnement"),
                ("r7_personnel_drf", "ratio 7 de l'art. R.2313-1 CGCT"))


def tableau_ratios(entite: str, indicateurs: pd.DataFrame, annee: int) -> pd.DataFrame:
    """Structure ratios of ``entite`` in ``annee`` with their definition; values written as text in the unit of
    each row (``valeur``, ``definition_ratio``)."""
    d = _lignes(indicateurs, entite, annee)
    if d.empty:
        raise SectionIndisponible(f"pas de comptes pour {nom_entite(entite)} en {annee}")
    r = d.iloc[0]
    lignes = []
    for nom, definition in RATIOS_FICHE:
        v = r.get(nom, np.nan)
        if nom == "capacite_desendettement":
            lecture = texte_classe_capacite(r.get("classe_capacite"), annee)
            eb = r.get("epargne_brute")
            texte = "non calculable" if pd.isna(v) and pd.notna(eb) and eb <= 0 else fmt_unite(v, "années")
            definition += f" — {lecture}" if lecture else ""
        else:
            texte = fmt_unite(v, vocabulaire.unite(nom))
        lignes.append({"ratio": vocabulaire.libelle(nom), "valeur": texte, "definition_ratio": definition})
    out = pd.DataFrame(lignes).set_index("ratio")
    out.index.name = vocabulaire.libelle("ratio")
    out["provenance"] = r.get("provenance", pd.NA)
    return out


def series_finances(entite: str, indicateurs: pd.DataFrame, comparaison: pd.DataFrame | None,
                    annee_debut: int, annee_fin: int) -> pd.DataFrame:
    """Yearly series of ``entite`` for the charts: DRF, personnel and debt per inhabitant with their strata
    means, taux d'épargne brute (%). One row per year; missing years stay missing."""
    d = indicateurs[(indicateurs["entite"].astype(str) == entite) & indicateurs["an"].between(annee_debut, annee_fin)]
    out = d.set_index("an")[["r1_drf_hab", "encours_dette_par_habitant", "taux_epargne_brute", "provenance"]].copy()
    out["personnel_hab"] = d.set_index("an")["personnel"] * 1000.0 / d.set_index("an")["population"]
    for champ, col in (("charge", "strate_drf_hab"), ("dette", "strate_dette_hab"), ("perso", "strate_personnel_hab")):
        if comparaison is not None and len(comparaison):
            c = comparaison[(comparaison["entite"].astype(str) == entite) & (comparaison["champ"] == champ)]
            out[col] = c.set_index("an")["moyenne_strate_eur_hab"].reindex(out.index)
        else:
            out[col] = np.nan
    return out.sort_index()


# ------------------------------------------------------------------------------------------------
# 3. Staff and organisation
# ------------------------------------------------------------------------------------------------
LIGNES_PERSONNEL = ("effectif", "etp", "etp_pour_1000_hab", "part_contractuels", "cout_par_etp", "charges_personnel",
                    "part_personnel_charges")
FRACTIONS_PERSONNEL = ("part_contractuels", "part_personnel_charges")
"""Shares returned as fractions (0–1) by :func:`orleans_gov.analyse.organisations.indicateurs_personnel`."""


def tableau_personnel(entite: str, indicateurs_personnel: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Staff indicators of ``entite`` against the 22 communes (median, min, max) for the latest year available, one
    row per indicator (vocabulary name; shares as fractions). Returns the table and the year.

    ``indicateurs_personnel``: :func:`orleans_gov.analyse.organisations.indicateurs_personnel`.
    """
    ip = indicateurs_personnel
    e = _lignes(ip, entite)
    if e.empty:
        raise SectionIndisponible(f"pas de données de personnel pour {nom_entite(entite)}")
    an = int(e["an"].max())
    r = e[e["an"] == an].iloc[0]
    communes = ip[(ip["an"] == an) & (ip["niveau"] == "commune")]
    lignes = [{"indicateur": col, "entite": r[col], "mediane_communes": communes[col].median(),
               "minimum_communes": communes[col].min(), "maximum_communes": communes[col].max()}
              for col in LIGNES_PERSONNEL]
    out = pd.DataFrame(lignes).set_index("indicateur")
    out["provenance"] = r["provenance"]
    return out, an


def texte_personnel(t: pd.DataFrame) -> pd.DataFrame:
    """:func:`tableau_personnel` written in French, each row in the unit of its indicator (row label: its header)."""
    out = t.copy()
    for c in ("entite", "mediane_communes", "minimum_communes", "maximum_communes"):
        out[c] = [fmt_pct(v) if i in FRACTIONS_PERSONNEL else fmt_unite(v, vocabulaire.unite(i))
                  for i, v in zip(t.index, t[c])]
    out.index = pd.Index([vocabulaire.entete(i) for i in t.index], name=vocabulaire.libelle("indicateur"))
    return out


# ------------------------------------------------------------------------------------------------
# 4. Spending by policy
# ------------------------------------------------------------------------------------------------
def depenses_politiques(entite: str, dep_hab: pd.DataFrame, annee: int) -> pd.DataFrame:
    """Spending of ``entite`` by M14 function in ``annee`` (fonctionnement + investissement): ``montant`` (k€),
    ``montant_eur_hab``, ``mediane_communes_eur_hab`` (median of the 22 communes for the same function),
    ``part_depenses`` (fraction of the entity's total).

    ``dep_hab``: :func:`orleans_gov.analyse.politiques.depenses_par_habitant`. A function with one missing section
    stays missing (never summed as zero).
    """
    d = dep_hab[dep_hab["an"] == annee]
    if d.empty:
        raise SectionIndisponible(f"pas de dépenses par fonction pour {annee}")
    par = (d.groupby(["entite", "fonction", "libelle_fonction"], observed=True)
           .agg(montant=("montant", somme_stricte), population=("population", "first"),
                provenance=("provenance", "first")).reset_index())
    par["eur_hab"] = par["montant"] * 1000.0 / par["population"].where(par["population"] > 0)
    e = par[par["entite"].astype(str) == entite]
    if e.empty:
        raise SectionIndisponible(f"pas de dépenses par fonction pour {nom_entite(entite)} en {annee}")
    communes = par[par["entite"].astype(str) != SIREN_AGGLO]
    mediane = communes.groupby("fonction")["eur_hab"].median()
    out = pd.DataFrame({
        "montant": e["montant"].to_numpy(),
        "montant_eur_hab": e["eur_hab"].to_numpy(),
        "mediane_communes_eur_hab": e["fonction"].map(mediane).to_numpy(),
        "provenance": e["provenance"].to_numpy(),
    }, index=pd.Index([libelle_fonction(f, lib) for f, lib in zip(e["fonction"], e["libelle_fonction"])],
                      name=vocabulaire.libelle("fonction_m14")))
    total = out["montant"].sum(min_count=len(out)) if out["montant"].notna().all() else np.nan
    out["part_depenses"] = out["montant"] / total if total and not np.isnan(total) else np.nan
    return out


# ------------------------------------------------------------------------------------------------
# 5. Scenarios
# ------------------------------------------------------------------------------------------------
EFFETS_FICHE = (("d_ac", "attribution_compensation", "en fin d'horizon"),
                ("d_eb_premiere", "epargne_brute", "la 1re année"),
                ("d_eb_fin", "epargne_brute", "en fin d'horizon"),
                ("d_en_cumul", "epargne_nette_cumulee", "sur l'horizon"),
                ("d_encours", "encours_dette", "en fin d'horizon"),
                ("d_etp", "etp", "en fin d'horizon"))
"""Effects shown in the fiche: (column of :func:`~.scenarios.tableaux.colonnes_effets`, term, when)."""


def effets_scenarios(entite: str, resultats: list[tuple[Any, Any]]) -> pd.DataFrame:
    """What each scenario changes for ``entite``: one row per scenario with actions.

    ``resultats``: pairs (projection of the scenario, projection of the same scenario without its actions), as
    returned by :func:`orleans_gov.restitution.projections.projections_scenarios`. Differences in k€ (ETP in FTE)
    read from :func:`orleans_gov.restitution.scenarios.tableau_effets_communes`, headers without their years (the
    years are in the ``horizon`` column).
    """
    nom = nom_entite(entite)
    precalcules = getattr(resultats, "effets", {}) or {}
    lignes = []
    for res, ref in resultats:
        sc = res.scenario
        if not sc.actions:
            continue
        t = precalcules.get(sc.nom)
        if t is None:
            t = tableau_effets_communes(res, ref)
        ligne = t[t[vocabulaire.libelle("entite")] == nom]
        if ligne.empty:
            continue
        l0 = ligne.iloc[0]
        colonnes = colonnes_effets(sc)
        lignes.append({
            "scenario": sc.nom, "horizon": f"{sc.debut}–{sc.fin}",
            "premiere_annee_effet": min((a.annee for a in sc.actions), default=sc.debut),
            **{entete_annee(terme, quand, "Δ "): l0[colonnes[cle][0]] for cle, terme, quand in EFFETS_FICHE},
            "provenance": EXEMPLE if res.exemple else REEL,
        })
    if not lignes:
        raise SectionIndisponible("aucun scénario avec actions n'est livré dans config/scenarios")
    out = pd.DataFrame(lignes).set_index("scenario")
    out.index.name = vocabulaire.libelle("scenario")
    return out


def fonctions_support_entite(entite: str, fonctions_support: pd.DataFrame) -> pd.DataFrame:
    """Support functions of ``entite`` (latest year): FTE, cost (k€) and in how many of the other 22 entities the
    same function also exists (FTE > 0) — the raw material of the shared-services scenarios (DESIGN.md §3.4)."""
    fs = fonctions_support
    e = _lignes(fs, entite)
    if e.empty:
        raise SectionIndisponible(f"pas de données de fonctions support pour {nom_entite(entite)}")
    an = int(e["an"].max())
    annee = fs[fs["an"] == an]
    autres = annee[(annee["entite"].astype(str) != entite) & (annee["etp"] > 0)]
    presence = autres.groupby("fonction_support")["entite"].nunique()
    e = e[e["an"] == an]
    out = pd.DataFrame({
        "etp": e["etp"].to_numpy(),
        "cout_fonction_support": e["cout"].to_numpy(),
        "presence_autres_entites": e["fonction_support"].map(presence).fillna(0).astype(int).to_numpy(),
        "provenance": e["provenance"].to_numpy(),
    }, index=pd.Index(e["fonction_support"].to_numpy(), name=vocabulaire.libelle("fonction_support")))
    out.attrs["an"] = an
    return out


def phrases_synthese(idt: Identite, indicateurs: pd.DataFrame | None, comparaison: pd.DataFrame | None
                     ) -> list[str]:
    """Two or three French sentences « en bref » for the top of the fiche, computed from the results."""
    out = []
    if idt.niveau == "commune":
        out.append(f"{idt.nom} compte {fmt_nombre(idt.population)} habitants en {idt.annee} "
                   f"({ordinal(idt.rang_population)} commune de l'agglomération par la population, "
                   f"{fmt_pct(idt.part_population)} de ses habitants).")
    else:
        out.append(f"L'agglomération regroupe 22 communes et {fmt_nombre(idt.population)} habitants en {idt.annee}.")
    if indicateurs is not None:
        d = indicateurs[(indicateurs["entite"].astype(str) == idt.entite) & (indicateurs["an"] == idt.annee)]
        if len(d):
            r = d.iloc[0]
            cap = r.get("capacite_desendettement", np.nan)
            txt = f"Son {dans_phrase('taux_epargne_brute')} est de {fmt_pct(r['taux_epargne_brute'], 1, fraction=False)}"
            if pd.notna(cap):
                txt += (f" et sa capacité de désendettement de {fmt_nombre(cap, 1)} ans, lecture : "
                        f"{texte_classe_capacite(r.get('classe_capacite'), idt.annee)}.")
            elif pd.notna(r.get("epargne_brute")) and r["epargne_brute"] <= 0:
                txt += " ; son épargne brute étant nulle ou négative, la capacité de désendettement n'est pas calculable."
            else:
                txt += " ; la capacité de désendettement n'est pas disponible."
            out.append(txt)
    if comparaison is not None and idt.niveau == "commune":
        c = comparaison[(comparaison["entite"].astype(str) == idt.entite) & (comparaison["an"] == idt.annee)]
        c = c.set_index("champ")
        if "charge" in c.index and pd.notna(c.loc["charge", "indice"]):
            i = float(c.loc["charge", "indice"])
            sens = "au-dessus" if i > 100 else "en dessous"
            out.append(f"Ses dépenses de fonctionnement ({fmt_eur_hab(c.loc['charge', 'valeur_eur_hab'])}) sont "
                       f"{fmt_nombre(abs(i - 100))} % {sens} de la moyenne de sa strate "
                       f"({fmt_eur_hab(c.loc['charge', 'moyenne_strate_eur_hab'])})." if round(abs(i - 100)) >= 1 else
                       f"Ses dépenses de fonctionnement ({fmt_eur_hab(c.loc['charge', 'valeur_eur_hab'])}) sont au "
                       f"niveau de la moyenne de sa strate.")
    return out
