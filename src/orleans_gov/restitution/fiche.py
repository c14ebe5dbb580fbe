"""Building blocks of the « fiche commune » (notebooks/10_fiche_commune.ipynb): one entity's portrait.

The fiche is rendered 23 times (22 communes + the agglomeration) by ``orleans-gov rapports``. Its notebook stays
thin: it calls these functions, which select the entity's rows in the outputs of the analysis modules
(:mod:`orleans_gov.analyse.finances`, :mod:`~orleans_gov.analyse.organisations`,
:mod:`~orleans_gov.analyse.politiques`, :mod:`orleans_gov.scenarios`) and shape them as French tables.

Graceful degradation: when a table or an analysis function is not available, :class:`SectionIndisponible` is
raised with a French explanation, which the notebook prints in place of the section (never silent zeros).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import SIREN_AGGLO, nom_entite, verifier_entite


class SectionIndisponible(Exception):
    """A section of the fiche cannot be produced (missing table or function); the message is French."""


def charger_table(nom: str, dossier=None) -> pd.DataFrame:
    """Processed table ``nom`` or :class:`SectionIndisponible` saying which table is missing and why."""
    try:
        from orleans_gov.construction.tables import charger
    except ImportError as exc:  # pragma: no cover - donnees is part of the package
        raise SectionIndisponible(f"le module de chargement des données n'est pas disponible ({exc})") from exc
    try:
        return charger(nom, dossier)
    except (ErreurDonnees, FileNotFoundError, OSError) as exc:
        raise SectionIndisponible(f"la table « {nom} » n'est pas disponible ({exc})") from exc


def fonction_analyse(module: str, nom: str) -> Callable[..., Any]:
    """``orleans_gov.<module>.<nom>`` or :class:`SectionIndisponible` when it does not exist (yet)."""
    import importlib

    try:
        mod = importlib.import_module(f"orleans_gov.{module}")
        return getattr(mod, nom)
    except (ImportError, AttributeError) as exc:
        raise SectionIndisponible(f"la fonction d'analyse orleans_gov.{module}.{nom} n'est pas disponible") from exc


def module_analyse(module: str):
    """``orleans_gov.<module>`` or :class:`SectionIndisponible` when it does not exist (yet)."""
    import importlib

    try:
        return importlib.import_module(f"orleans_gov.{module}")
    except ImportError as exc:
        raise SectionIndisponible(f"le module d'analyse orleans_gov.{module} n'est pas disponible ({exc})") from exc


def est_agglo(entite: str) -> bool:
    return verifier_entite(entite) == SIREN_AGGLO


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
LIGNES_FINANCES: list[tuple[str, str, str]] = [
    # (indicator of analyse.finances.indicateurs_entites, DGFiP field of the strata comparison, French label)
    ("rrf", "prod", "Recettes de fonctionnement"),
    ("drf", "charge", "Dépenses de fonctionnement"),
    ("personnel", "perso", "dont charges de personnel"),
    ("impots_directs", "impo1", "Impôts locaux"),
    ("dgf", "dgf", "Dotation globale de fonctionnement"),
    ("epargne_brute", "caf", "Épargne brute (CAF)"),
    ("epargne_nette", "cafn", "Épargne nette (CAF nette)"),
    ("equipement", "equip", "Dépenses d'équipement"),
    ("encours_dette", "dette", "Encours de la dette au 31/12"),
]


def tableau_finances(entite: str, indicateurs: pd.DataFrame, comparaison: pd.DataFrame | None,
                     annee: int) -> pd.DataFrame:
    """Key amounts of ``entite`` in ``annee``: k€, €/hab., strata mean (€/hab.) and index (100 = strata).

    ``indicateurs``: :func:`orleans_gov.analyse.finances.indicateurs_entites`; ``comparaison``:
    :func:`~orleans_gov.analyse.finances.comparaison_strate` (communes only: the agglomeration has no DGFiP
    strata, its strata columns are NaN). €/hab. = k€ × 1 000 / population of the accounts (``pop1``/``mpoid``)
    when the comparison does not give it.
    """
    d = indicateurs[(indicateurs["entite"].astype(str) == entite) & (indicateurs["an"] == annee)]
    if d.empty:
        raise SectionIndisponible(f"pas de comptes pour {nom_entite(entite)} en {annee}")
    r = d.iloc[0]
    c = pd.DataFrame()
    if comparaison is not None and len(comparaison):
        c = comparaison[(comparaison["entite"].astype(str) == entite) & (comparaison["an"] == annee)]
        c = c.set_index("champ")
    pop = float(r["population"]) if pd.notna(r.get("population", np.nan)) else np.nan
    lignes = []
    for ind, champ, libelle in LIGNES_FINANCES:
        montant = float(r[ind]) if ind in r and pd.notna(r[ind]) else np.nan
        par_hab = montant * 1000.0 / pop if pop and not np.isnan(pop) else np.nan
        moyenne = indice = np.nan
        if champ in c.index:
            v = c.loc[champ, "valeur_eur_hab"]
            par_hab = float(v) if pd.notna(v) else par_hab
            moyenne = float(c.loc[champ, "moyenne_strate_eur_hab"])
            indice = float(c.loc[champ, "indice"])
        lignes.append({"Indicateur": libelle, "Montant (k€)": montant, "Par habitant (€/hab.)": par_hab,
                       "Moyenne de la strate (€/hab.)": moyenne, "Indice (100 = strate)": indice})
    out = pd.DataFrame(lignes).set_index("Indicateur")
    out["provenance"] = r.get("provenance", pd.NA)
    return out


def tableau_ratios(entite: str, indicateurs: pd.DataFrame, annee: int) -> pd.DataFrame:
    """Structure ratios of ``entite`` in ``annee`` with their French reading; values pre-formatted as text
    (each row has its own unit)."""
    from orleans_gov.restitution.presentation import fmt_nombre, fmt_pct

    d = indicateurs[(indicateurs["entite"].astype(str) == entite) & (indicateurs["an"] == annee)]
    if d.empty:
        raise SectionIndisponible(f"pas de comptes pour {nom_entite(entite)} en {annee}")
    r = d.iloc[0]

    def pct(col: str) -> str:
        return fmt_pct(r.get(col, np.nan), 1, fraction=False)

    cap = r.get("capacite_desendettement", np.nan)
    lecture = r.get("lecture_capacite", pd.NA)
    lignes = [
        ("Taux d'épargne brute", pct("taux_epargne_brute"), "épargne brute / recettes de fonctionnement"),
        ("Taux d'épargne nette", pct("taux_epargne_nette"), "épargne nette / recettes de fonctionnement"),
        ("Capacité de désendettement",
         ("non calculable" if pd.isna(cap) and pd.notna(r.get("epargne_brute")) and r.get("epargne_brute") <= 0
          else (f"{fmt_nombre(cap, 1)}\u00a0ans" if pd.notna(cap) else "n.d.")),
         "encours / épargne brute" + (f" — {lecture}" if pd.notna(lecture) else "")),
        ("Rigidité des charges structurelles", pct("rigidite_charges"),
         "(personnel + contingents + intérêts) / recettes de fonctionnement"),
        ("Personnel / dépenses de fonctionnement", pct("r7_personnel_drf"), "ratio 7 de l'art. R.2313-1 CGCT"),
    ]
    out = pd.DataFrame(lignes, columns=["Ratio", "Valeur", "Définition"]).set_index("Ratio")
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
def tableau_personnel(entite: str, indicateurs_personnel: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Staff indicators of ``entite`` against the 22 communes (median, min, max) for the latest year available.

    ``indicateurs_personnel``: :func:`orleans_gov.analyse.organisations.indicateurs_personnel`. Returns the table
    and the year. Shares are fractions (0–1), costs in € or k€ as named.
    """
    ip = indicateurs_personnel
    e = ip[ip["entite"].astype(str) == entite]
    if e.empty:
        raise SectionIndisponible(f"pas de données de personnel pour {nom_entite(entite)}")
    an = int(e["an"].max())
    r = e[e["an"] == an].iloc[0]
    communes = ip[(ip["an"] == an) & (ip["niveau"] == "commune")]
    lignes = []
    for col, libelle in (("effectif", "Effectif (agents)"), ("etp", "Équivalents temps plein (ETP)"),
                         ("etp_pour_1000_hab", "ETP pour 1 000 habitants"),
                         ("part_contractuels", "Part des contractuels dans les ETP"),
                         ("cout_par_etp", "Coût moyen d'un ETP (€)"),
                         ("charges_personnel", "Charges de personnel déclarées (k€)"),
                         ("part_personnel_charges", "Personnel / charges de fonctionnement")):
        lignes.append({"Indicateur": libelle, "Entité": r[col],
                       "Médiane des 22 communes": communes[col].median(),
                       "Minimum": communes[col].min(), "Maximum": communes[col].max()})
    out = pd.DataFrame(lignes).set_index("Indicateur")
    out["provenance"] = r["provenance"]
    return out, an


# ------------------------------------------------------------------------------------------------
# 4. Spending by policy
# ------------------------------------------------------------------------------------------------
def depenses_politiques(entite: str, dep_hab: pd.DataFrame, annee: int) -> pd.DataFrame:
    """Spending of ``entite`` by M14 function in ``annee`` (fonctionnement + investissement, €/hab. and k€) with
    the median €/hab. of the 22 communes for the same function.

    ``dep_hab``: :func:`orleans_gov.analyse.politiques.depenses_par_habitant`. A function with one missing section
    stays missing (never summed as zero).
    """
    d = dep_hab[dep_hab["an"] == annee]
    if d.empty:
        raise SectionIndisponible(f"pas de dépenses par fonction pour {annee}")

    def somme(s: pd.Series) -> float:
        return float(s.sum()) if len(s) and s.notna().all() else np.nan

    par = (d.groupby(["entite", "fonction", "libelle_fonction"], observed=True)
           .agg(montant=("montant", somme), population=("population", "first"),
                provenance=("provenance", "first")).reset_index())
    par["eur_hab"] = par["montant"] * 1000.0 / par["population"].where(par["population"] > 0)
    e = par[par["entite"].astype(str) == entite]
    if e.empty:
        raise SectionIndisponible(f"pas de dépenses par fonction pour {nom_entite(entite)} en {annee}")
    communes = par[par["entite"].astype(str) != SIREN_AGGLO]
    mediane = communes.groupby("fonction")["eur_hab"].median()
    out = pd.DataFrame({
        "Fonction": [f"{f} {lib}" for f, lib in zip(e["fonction"], e["libelle_fonction"])],
        "Montant (k€)": e["montant"].to_numpy(),
        "Par habitant (€/hab.)": e["eur_hab"].to_numpy(),
        "Médiane des 22 communes (€/hab.)": e["fonction"].map(mediane).to_numpy(),
        "provenance": e["provenance"].to_numpy(),
    })
    total = out["Montant (k€)"].sum(min_count=len(out)) if out["Montant (k€)"].notna().all() else np.nan
    out["Part des dépenses"] = out["Montant (k€)"] / total if total and not np.isnan(total) else np.nan
    return out.set_index("Fonction")


# ------------------------------------------------------------------------------------------------
# 5. Scenarios
# ------------------------------------------------------------------------------------------------
def effets_scenarios(entite: str, resultats: list[tuple[Any, Any]]) -> pd.DataFrame:
    """What each scenario changes for ``entite``: one row per scenario with actions.

    ``resultats``: pairs (projection of the scenario, projection of the same scenario without its actions), as
    returned by :func:`orleans_gov.scenarios.executer`. Differences in k€ (ETP in FTE) read from
    :func:`orleans_gov.restitution.scenarios.tableau_effets_communes`, columns renamed without their years
    (the years are in the « Horizon » column).
    """
    from orleans_gov.restitution import scenarios as rs

    nom = nom_entite(entite)
    precalcules = getattr(resultats, "effets", {}) or {}
    lignes = []
    for res, ref in resultats:
        sc = res.scenario
        if not sc.actions:
            continue
        t = precalcules.get(sc.nom)
        if t is None:
            t = rs.tableau_effets_communes(res, ref)
        ligne = t[t["entité"] == nom]
        if ligne.empty:
            continue
        l0 = ligne.iloc[0]
        premiere = min((a.annee for a in sc.actions), default=sc.debut)
        lignes.append({
            "Scénario": sc.nom,
            "Horizon": f"{sc.debut}–{sc.fin}",
            "1re année d'effet": premiere,
            "Δ AC finale (k€)": l0[f"Δ AC {sc.fin}"],
            "Δ épargne brute 1re année (k€)": l0[f"Δ épargne brute {premiere}"],
            "Δ épargne brute finale (k€)": l0[f"Δ épargne brute {sc.fin}"],
            "Δ épargne nette cumulée (k€)": l0[f"Δ épargne nette cumulée {sc.debut}–{sc.fin}"],
            "Δ encours final (k€)": l0[f"Δ encours {sc.fin}"],
            "Δ ETP final": l0[f"Δ ETP {sc.fin}"],
            "provenance": "exemple" if res.exemple else "réel",
        })
    if not lignes:
        raise SectionIndisponible("aucun scénario avec actions n'est livré dans config/scenarios")
    return pd.DataFrame(lignes).set_index("Scénario")


def fonctions_support_entite(entite: str, fonctions_support: pd.DataFrame) -> pd.DataFrame:
    """Support functions of ``entite`` (latest year): FTE, cost (k€) and in how many of the other 22 entities the
    same function also exists (FTE > 0) — the raw material of the shared-services scenarios (DESIGN.md §3.4)."""
    fs = fonctions_support
    e = fs[fs["entite"].astype(str) == entite]
    if e.empty:
        raise SectionIndisponible(f"pas de données de fonctions support pour {nom_entite(entite)}")
    an = int(e["an"].max())
    annee = fs[fs["an"] == an]
    autres = annee[(annee["entite"].astype(str) != entite) & (annee["etp"] > 0)]
    presence = autres.groupby("fonction_support")["entite"].nunique()
    e = e[e["an"] == an]
    out = pd.DataFrame({
        "Fonction support": e["fonction_support"].to_numpy(),
        "ETP": e["etp"].to_numpy(),
        "Coût (k€)": e["cout"].to_numpy(),
        "Présente aussi dans (entités sur 22)": e["fonction_support"].map(presence).fillna(0).astype(int).to_numpy(),
        "provenance": e["provenance"].to_numpy(),
    }).set_index("Fonction support")
    out.attrs["an"] = an
    return out


class Projections(list):
    """List of (scenario, counterfactual) projection pairs, with the invalid scenario files (``invalides``) and
    the per-entity effect table of each scenario (``effets``: name → ``restitution.tableau_effets_communes``),
    computed once for the 23 fiches."""

    def __init__(self, paires: list, invalides: list[str] | None = None,
                 effets: dict[str, pd.DataFrame] | None = None) -> None:
        super().__init__(paires)
        self.invalides = list(invalides or [])
        self.effets = dict(effets or {})


def projections_scenarios(dossier_donnees=None, annee_reference: int | None = None,
                          cache: bool = True) -> list[tuple[Any, Any]]:
    """Projection of every shipped scenario and of its counterfactual without action (for the scenario section).

    The 23 fiches need the same projections: they are memoised on disk (``$TMPDIR/orleans_gov_cache``), keyed by
    the sha256 of everything they depend on — the scenario files, the processed tables read by the engine, the
    engine's source code and ``annee_reference`` — so a changed input recomputes, and an unchanged one gives the
    identical (pickled) result. ``cache=False`` always recomputes. Invalid scenario files are skipped and listed
    in the ``invalides`` attribute of the returned list (they are not cached); none valid → SectionIndisponible.
    """
    import hashlib
    import os
    import pickle
    import tempfile
    from pathlib import Path

    from orleans_gov.base.catalogue import Catalogue

    S = module_analyse("scenarios")
    fichiers = list(S.scenarios_livres())
    if not fichiers:
        raise SectionIndisponible("aucun scénario n'est livré dans config/scenarios")
    cat = Catalogue.depuis(dossier_donnees)
    entrees = list(fichiers)
    # every processed table: the engine reads several of them (finances, flows, functions, staff, support
    # functions…) and a table added later must invalidate the cache too
    entrees += sorted(cat.processed.glob("*.parquet"))
    entrees += sorted(Path(S.__file__).parent.glob("*.py"))
    h = hashlib.sha256(repr(annee_reference).encode())
    for p in entrees:
        h.update(str(Path(p).name).encode())
        h.update(Path(p).read_bytes() if Path(p).exists() else b"<absent>")
    chemin = Path(tempfile.gettempdir()) / "orleans_gov_cache" / f"scenarios-{h.hexdigest()[:32]}.pkl"
    if cache and chemin.exists():
        try:
            with open(chemin, "rb") as flux:
                charge = pickle.load(flux)
            if isinstance(charge, Projections):
                return charge
        except Exception:  # noqa: BLE001 - a damaged cache is recomputed
            pass
    donnees = S.charger_donnees(dossier_donnees)
    paires = []
    invalides: list[str] = []
    from orleans_gov.base.erreurs import ErreurScenario

    for fichier in fichiers:
        try:
            sc = S.charger_scenario(fichier, annee_reference=annee_reference)
        except ErreurScenario as exc:
            # An invalid scenario file is reported in the fiche (and fails notebook 03 loudly); the other
            # scenarios are still shown.
            invalides.append(f"{Path(fichier).name} : {exc}")
            continue
        paires.append((S.projeter(sc, donnees), S.projeter(sc.sans_actions(), donnees)))
    if not paires:
        raise SectionIndisponible("aucun fichier de scénario valide — " + " ; ".join(invalides))
    from orleans_gov.restitution import scenarios as rs

    resultat = Projections(paires, invalides, {res.scenario.nom: rs.tableau_effets_communes(res, ref)
                                               for res, ref in paires if res.scenario.actions})
    if invalides:
        return resultat
    if cache:
        chemin.parent.mkdir(parents=True, exist_ok=True)
        temporaire = chemin.with_suffix(f".{os.getpid()}.tmp")
        with open(temporaire, "wb") as flux:
            pickle.dump(resultat, flux, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporaire, chemin)
    return resultat


def ordinal(n: int | None) -> str:
    """French ordinal of a rank: 1 → « 1re », 2 → « 2e »; None → « n.d. »."""
    if n is None:
        return "n.d."
    return "1re" if n == 1 else f"{n}e"


def phrases_synthese(idt: Identite, indicateurs: pd.DataFrame | None, comparaison: pd.DataFrame | None
                     ) -> list[str]:
    """Two or three French sentences « en bref » for the top of the fiche, computed from the results."""
    from orleans_gov.restitution.presentation import fmt_eur_hab, fmt_nombre, fmt_pct

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
            txt = f"Son taux d'épargne brute est de {fmt_pct(r['taux_epargne_brute'], 1, fraction=False)}"
            if pd.notna(cap):
                txt += f" et sa capacité de désendettement de {fmt_nombre(cap, 1)} ans, lecture : {r['lecture_capacite']}."
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
