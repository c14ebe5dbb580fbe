"""Organisation comparison (DESIGN §3.4): staff, personnel costs and support functions of each commune and of the
agglomeration, side by side; duplicated support functions; police municipale staffing over time.

Pure functions over the processed tables (docs/TABLES.md): ``effectifs``, ``effectifs_totaux``,
``fonctions_support`` (collection workbooks), ``territoire``, ``finances_communes``, ``finances_agglo``,
``police_municipale``.

Definitions:
- ETP (équivalent temps plein) and effectif (agents paid at 31 December) as declared in the workbook (bilan
  social / rapport social unique definitions); « pour 1 000 habitants » divides by the population of the
  ``territoire`` table for the same year (population municipale INSEE; the agglomeration: sum of its communes);
- coût moyen par ETP = charges de personnel declared in the workbook (chapitre 012, k€) × 1 000 / ETP (€);
- part du personnel dans les charges de fonctionnement = DGFiP ``perso`` / ``charge`` (the DGFiP ``rperso``
  ratio; for the agglomeration ``perstot`` / ``cftot``, budgets annexes included). The DGFiP « charges » include
  some non-real items: the legal ratio R.2313-1 CGCT n° 7 (personnel / DRF) is close but not identical;
- averages of a group (strate, all communes) are ratios of sums (the group taken as one organisation), never
  means of ratios.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.analyse.colonnes import diviser
from orleans_gov.base.nomenclatures import CATEGORIES, FILIERES, FONCTIONS_SUPPORT, STATUTS
from orleans_gov.base.territoire import SIREN_AGGLO

DIMENSIONS = ("filiere", "categorie", "statut")


def indicateurs_personnel(effectifs_totaux: pd.DataFrame, effectifs: pd.DataFrame, territoire: pd.DataFrame,
                          finances_communes: pd.DataFrame | None = None,
                          finances_agglo: pd.DataFrame | None = None, annee: int | None = None) -> pd.DataFrame:
    """One row per entity and year: headcount, FTE, per 1 000 inhabitants, contract share, cost per FTE,
    personnel / operating charges.

    Columns: ``entite``, ``nom``, ``niveau``, ``an``, ``population``, ``strate_dgfip``, ``effectif``, ``etp``,
    ``effectif_pour_1000_hab``, ``etp_pour_1000_hab``, ``etp_contractuels``, ``part_contractuels`` (share of FTE,
    0–1), ``charges_personnel`` (k€, declared), ``cout_par_etp`` (€), ``charges_personnel_dgfip`` and
    ``charges_fonctionnement`` (k€, DGFiP ``perso``/``charge`` or ``perstot``/``cftot``),
    ``part_personnel_charges`` (0–1), ``provenance``.
    """
    t = effectifs_totaux.copy()
    if annee is not None:
        t = t[t["an"] == annee]
    cols = ["entite", "an", "effectif", "etp", "charges_personnel", "provenance"]
    t = t[cols].copy()
    contr = (effectifs[effectifs["statut"] == "contractuel"].groupby(["entite", "an"], as_index=False)["etp"]
             .sum(min_count=1).rename(columns={"etp": "etp_contractuels"}))
    t = t.merge(contr, on=["entite", "an"], how="left")
    terr = territoire[["entite", "an", "nom", "niveau", "population", "strate_dgfip"]]
    t = t.merge(terr, on=["entite", "an"], how="left")
    t["effectif_pour_1000_hab"] = diviser(t["effectif"] * 1000, t["population"])
    t["etp_pour_1000_hab"] = diviser(t["etp"] * 1000, t["population"])
    t["part_contractuels"] = diviser(t["etp_contractuels"], t["etp"])
    t["cout_par_etp"] = diviser(t["charges_personnel"] * 1000, t["etp"])
    fin = []
    if finances_communes is not None and len(finances_communes):
        fin.append(finances_communes[["code_insee", "an", "perso", "charge"]].rename(
            columns={"code_insee": "entite", "perso": "charges_personnel_dgfip", "charge": "charges_fonctionnement"}))
    if finances_agglo is not None and len(finances_agglo):
        fin.append(finances_agglo[["siren", "an", "perstot", "cftot"]].rename(
            columns={"siren": "entite", "perstot": "charges_personnel_dgfip", "cftot": "charges_fonctionnement"}))
    if fin:
        f = pd.concat(fin, ignore_index=True)
        f["entite"] = f["entite"].astype("string")
        t["entite"] = t["entite"].astype("string")
        t = t.merge(f, on=["entite", "an"], how="left")
    else:
        t["charges_personnel_dgfip"] = np.nan
        t["charges_fonctionnement"] = np.nan
    t["part_personnel_charges"] = diviser(t["charges_personnel_dgfip"], t["charges_fonctionnement"])
    ordre = ["entite", "nom", "niveau", "an", "population", "strate_dgfip", "effectif", "etp",
             "effectif_pour_1000_hab", "etp_pour_1000_hab", "etp_contractuels", "part_contractuels",
             "charges_personnel", "cout_par_etp", "charges_personnel_dgfip", "charges_fonctionnement",
             "part_personnel_charges", "provenance"]
    return t[ordre].sort_values(["an", "entite"]).reset_index(drop=True)


def structure_effectifs(effectifs: pd.DataFrame, dimension: str = "filiere", mesure: str = "etp",
                        annee: int | None = None) -> pd.DataFrame:
    """Share (0–1) of each filière / catégorie / statut in the entity's FTE (or headcount): one row per entity
    and year, one column per modality (in the order of the reference lists), rows summing to 1."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension inconnue : {dimension!r} (attendu : {', '.join(DIMENSIONS)})")
    if mesure not in ("etp", "effectif"):
        raise ValueError(f"mesure inconnue : {mesure!r} (attendu : etp ou effectif)")
    ordre = {"filiere": FILIERES, "categorie": CATEGORIES, "statut": STATUTS}[dimension]
    e = effectifs if annee is None else effectifs[effectifs["an"] == annee]
    somme = e.groupby(["entite", "an", dimension])[mesure].sum(min_count=1).unstack(dimension)
    somme = somme.reindex(columns=[m for m in ordre if m in somme.columns] +
                          [m for m in somme.columns if m not in ordre])
    total = somme.sum(axis=1, min_count=1)
    parts = somme.div(total.where(total > 0), axis=0)
    parts.columns.name = None
    return parts.reset_index()


def moyennes_par_groupe(indicateurs: pd.DataFrame, groupe: str = "strate_dgfip") -> pd.DataFrame:
    """Aggregate of each group (default: DGFiP band) taken as one organisation: ratio of sums.

    Returns ``groupe``, ``an``, ``nb_entites``, ``population``, ``etp``, ``etp_pour_1000_hab``
    (Σ ETP × 1 000 / Σ population), ``part_contractuels`` (Σ ETP contractuels / Σ ETP), ``cout_par_etp``
    (Σ charges × 1 000 / Σ ETP), ``part_personnel_charges`` (Σ perso / Σ charge).
    """
    d = indicateurs[indicateurs[groupe].notna()]
    g = d.groupby([groupe, "an"], as_index=False).agg(
        nb_entites=("entite", "nunique"), population=("population", "sum"), etp=("etp", "sum"),
        etp_contractuels=("etp_contractuels", "sum"), charges_personnel=("charges_personnel", "sum"),
        charges_personnel_dgfip=("charges_personnel_dgfip", lambda s: s.sum(min_count=1)),
        charges_fonctionnement=("charges_fonctionnement", lambda s: s.sum(min_count=1)))
    g["etp_pour_1000_hab"] = diviser(g["etp"] * 1000, g["population"])
    g["part_contractuels"] = diviser(g["etp_contractuels"], g["etp"])
    g["cout_par_etp"] = diviser(g["charges_personnel"] * 1000, g["etp"])
    g["part_personnel_charges"] = diviser(g["charges_personnel_dgfip"], g["charges_fonctionnement"])
    return g[[groupe, "an", "nb_entites", "population", "etp", "etp_pour_1000_hab", "part_contractuels",
              "cout_par_etp", "part_personnel_charges"]]


INDICATEURS_COMPARES = ("etp_pour_1000_hab", "part_contractuels", "cout_par_etp", "part_personnel_charges")


def comparer_a_la_strate(indicateurs: pd.DataFrame) -> pd.DataFrame:
    """Each commune against the communes of the perimeter in the same DGFiP band (``strate_dgfip``) and against
    all 22 communes; the agglomeration against the communes as a whole.

    Adds ``<x>_strate`` (aggregate of the band, ratio of sums — the commune itself included), ``nb_strate``
    (communes of the band in the perimeter: 1 means the commune is alone and the comparison is void), ``<x>_communes``
    (aggregate of all communes), ``indice_<x>_strate`` = 100 × value / band aggregate.
    """
    communes = indicateurs[indicateurs["niveau"] == "commune"]
    strate = moyennes_par_groupe(communes, "strate_dgfip")
    tout = moyennes_par_groupe(communes.assign(_tout="communes"), "_tout")
    out = indicateurs.merge(
        strate.rename(columns={c: f"{c}_strate" for c in INDICATEURS_COMPARES} | {"nb_entites": "nb_strate"})
        [["strate_dgfip", "an", "nb_strate"] + [f"{c}_strate" for c in INDICATEURS_COMPARES]],
        on=["strate_dgfip", "an"], how="left")
    out = out.merge(tout.rename(columns={c: f"{c}_communes" for c in INDICATEURS_COMPARES})
                    [["an"] + [f"{c}_communes" for c in INDICATEURS_COMPARES]], on="an", how="left")
    for c in INDICATEURS_COMPARES:
        out[f"indice_{c}_strate"] = diviser(out[c] * 100, out[f"{c}_strate"])
    return out


def matrice_fonctions_support(fonctions_support: pd.DataFrame, valeur: str = "etp",
                              annee: int | None = None) -> pd.DataFrame:
    """Entities (rows) × support functions (columns): FTE (or ``cout``, k€). Missing answers stay NaN."""
    f = fonctions_support if annee is None else fonctions_support[fonctions_support["an"] == annee]
    m = f.groupby(["entite", "fonction_support"])[valeur].sum(min_count=1).unstack("fonction_support")
    m = m.reindex(columns=[c for c in FONCTIONS_SUPPORT if c in m.columns] +
                  [c for c in m.columns if c not in FONCTIONS_SUPPORT])
    m.columns.name = None
    return m


def duplications_fonctions_support(fonctions_support: pd.DataFrame, annee: int | None = None) -> pd.DataFrame:
    """For each support function: in how many communes it exists (ETP > 0), whether the agglomeration has it,
    with FTE and cost (k€) on each side — the raw material of the shared-services scenarios (service commun,
    art. L.5211-4-2 CGCT).

    Columns: ``fonction_support``, ``nb_communes`` (communes with ETP > 0), ``agglomeration`` (bool),
    ``nb_entites`` (communes + agglomeration holding it), ``etp_communes``, ``etp_agglomeration``, ``etp_total``,
    ``cout_communes``, ``cout_agglomeration``, ``cout_total`` (k€), ``etp_moyen_par_commune`` (over the
    communes holding it), ``nb_non_renseigne`` (entities whose ETP is missing).
    """
    f = fonctions_support if annee is None else fonctions_support[fonctions_support["an"] == annee]
    agglo = f["entite"] == SIREN_AGGLO
    lignes = []
    fonctions = [c for c in FONCTIONS_SUPPORT if c in set(f["fonction_support"])] + \
        sorted(set(f["fonction_support"]) - set(FONCTIONS_SUPPORT))
    for fonc in fonctions:
        x = f[f["fonction_support"] == fonc]
        c, a = x[~agglo.loc[x.index]], x[agglo.loc[x.index]]
        presentes = c[c["etp"] > 0]
        lignes.append({
            "fonction_support": fonc,
            "nb_communes": int(len(presentes)),
            "agglomeration": bool((a["etp"] > 0).any()),
            "etp_communes": c["etp"].sum(min_count=1),
            "etp_agglomeration": a["etp"].sum(min_count=1),
            "cout_communes": c["cout"].sum(min_count=1),
            "cout_agglomeration": a["cout"].sum(min_count=1),
            "etp_moyen_par_commune": presentes["etp"].mean() if len(presentes) else np.nan,
            "nb_non_renseigne": int(x["etp"].isna().sum()),
        })
    d = pd.DataFrame(lignes)
    if d.empty:
        return d
    d["nb_entites"] = d["nb_communes"] + d["agglomeration"].astype(int)
    d["etp_total"] = d[["etp_communes", "etp_agglomeration"]].sum(axis=1, min_count=1)
    d["cout_total"] = d[["cout_communes", "cout_agglomeration"]].sum(axis=1, min_count=1)
    return d[["fonction_support", "nb_communes", "agglomeration", "nb_entites", "etp_communes",
              "etp_agglomeration", "etp_total", "cout_communes", "cout_agglomeration", "cout_total",
              "etp_moyen_par_commune", "nb_non_renseigne"]]


def police_pour_1000(police_municipale: pd.DataFrame) -> pd.DataFrame:
    """Police municipale agents (and ASVP) per 1 000 inhabitants, by entity and year, from the Ministère de
    l'Intérieur survey (population of the survey file, 1 January of the year). Missing stays missing."""
    p = police_municipale.copy()
    p["agents_pour_1000_hab"] = diviser(p["agents_police"] * 1000, p["population"])
    p["agents_asvp_pour_1000_hab"] = diviser((p["agents_police"] + p["asvp"]) * 1000, p["population"])
    return p.sort_values(["entite", "an"]).reset_index(drop=True)
