"""Financial analysis of the communes and of the agglomeration (DESIGN.md §3.1–3.2).

Everything works on the DGFiP « comptes individuels » as read by :mod:`orleans_gov.sources.dgfip` or as stored in
the processed tables ``finances_communes`` / ``finances_agglo`` (docs/TABLES.md): amounts in k€, per-inhabitant
values in €/hab, structure ratios in %.

Definitions used (stated again in each docstring and in the ``definition`` column of the outputs):

- ``prod`` (total des produits de fonctionnement) stands for the recettes réelles de fonctionnement (RRF); the
  DGFiP ``charge`` (total des charges de fonctionnement) includes non-real items (dotations aux amortissements et
  provisions), so the dépenses réelles de fonctionnement (DRF) of the R.2313-1 CGCT ratios are the real ones,
  DRF = RRF − CAF (``prod − caf``; GFP ``pftot − caftot``: the CAF is RRF − DRF by definition) — on the real Orléans
  2013 sheet 180 447 − 30 827 = 149 620 k€ against ``charge`` 165 497 k€; ``charge`` stays available as
  ``charges_dgfip``. The épargnes are read from the file's own ``caf`` / ``cafn``; the épargne de gestion from
  ``ebf`` (excédent brut de fonctionnement) when the file has it, else CAF + charges financières;
- for the groupements à fiscalité propre the DGFiP file consolidates the budget principal **and** the budgets
  annexes, and its products are net of the reversements de fiscalité (``revtot`` < 0: attributions de compensation
  and DSC paid to the communes).

Labels and units of every output column are in the vocabulary (:mod:`orleans_gov.base.vocabulaire`, file
``finances.yaml``); the strata comparison is in :mod:`orleans_gov.analyse.strates`, the consolidated bloc communal in
:mod:`orleans_gov.analyse.bloc`; tables and sentences in :mod:`orleans_gov.restitution.finances`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from orleans_gov.analyse.colonnes import diviser, numerique
from orleans_gov.base import vocabulaire
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.parametres import parametres

# ----------------------------------------------------------------------------------------------------
# Column mappings (standard name -> DGFiP field)
COLONNES_COMMUNES: dict[str, str | None] = {
    "population": "pop1",        # population légale en vigueur au 1er janvier (DGFiP)
    "rrf": "prod",               # total des produits de fonctionnement (A)
    "drf": "charge",             # total des charges de fonctionnement (B)
    "personnel": "perso",        # charges de personnel
    "interets": "fin",           # charges financières (proxy des intérêts de la dette)
    "contingents": "cont",       # contingents
    "epargne_brute": "caf",      # capacité d'autofinancement (CAF brute)
    "epargne_nette": "cafn",     # CAF nette du remboursement en capital des emprunts
    "encours_dette": "dette",    # encours total de la dette au 31/12
    "remboursement": "remb",     # remboursement d'emprunts et dettes assimilées
    "equipement": "equip",       # dépenses d'équipement
    "impots_directs": "impo1",   # impôts locaux
    "dgf": "dgf",                # dotation globale de fonctionnement
    "produits_caf": "pfcaf",     # produits de fonctionnement « CAF » (2017+), dénominateur du taux d'épargne
    "ebf": "ebf",                # excédent brut de fonctionnement (épargne de gestion)
}
"""DGFiP comptes individuels des communes (budget principal), docs/FORMATS.md §1."""

COLONNES_GFP: dict[str, str | None] = {
    "population": "mpoid",       # population de référence du fichier GFP
    "rrf": "pftot",              # produits de fonctionnement (nets de la fiscalité reversée revtot)
    "drf": "cftot",              # charges de fonctionnement
    "personnel": "perstot",      # charges de personnel
    "interets": "cfitot",        # charges financières
    "contingents": None,         # non isolés dans le fichier GFP
    "epargne_brute": "caftot",   # CAF
    "epargne_nette": "cafntot",  # CAF nette
    "encours_dette": "entot",    # encours de dette au 31/12
    "remboursement": "edettot",  # remboursement d'emprunts
    "equipement": "detot",       # dépenses d'équipement
    "impots_directs": "iltot",   # impôts locaux
    "dgf": "dgftot",             # DGF
    "produits_caf": None,
    "ebf": None,                 # pas d'excédent brut de fonctionnement dans le fichier GFP
}
"""DGFiP comptes individuels des groupements à fiscalité propre (budget principal + budgets annexes consolidés),
docs/FORMATS.md §2. The GFP file has no contingents line: the rigidité excludes them (stated in ``definition``)."""

DEFINITION_COMMUNES = ("DGFiP comptes individuels des communes, budget principal : épargne brute = CAF (caf), "
                       "épargne nette = CAF nette (cafn), épargne de gestion = excédent brut de fonctionnement (ebf), "
                       "RRF ≈ total des produits (prod), DRF réelles = prod − caf (ratios R.2313-1) ; le total des "
                       "charges (charge) inclut les dotations aux amortissements")
DEFINITION_GFP = ("DGFiP comptes individuels des GFP, budget principal + budgets annexes : épargne brute = caftot, "
                  "épargne nette = cafntot, épargne de gestion = caftot + cfitot, RRF ≈ pftot (net de la fiscalité "
                  "reversée), DRF réelles = pftot − caftot ; rigidité sans contingents (non isolés)")

RATIO_8_NON_CALCULABLE = ("Ratio 8 de l'art. R.2313-1 CGCT (coefficient de mobilisation du potentiel fiscal) : non "
                          "calculable, le potentiel fiscal (fiches DGF) n'est pas dans les données.")
INDICATEURS: tuple[str, ...] = (
    "rrf", "drf", "charges_dgfip", "personnel", "interets", "contingents", "encours_dette", "remboursement", "equipement",
    "impots_directs", "dgf", "epargne_gestion", "epargne_brute", "epargne_nette", "taux_epargne_brute",
    "taux_epargne_nette", "capacite_desendettement", "rigidite_charges", "encours_dette_par_habitant",
    "epargne_brute_par_habitant", "r1_drf_hab", "r2_impots_directs_hab", "r3_rrf_hab", "r4_equipement_hab",
    "r5_dette_hab", "r6_dgf_hab", "r7_personnel_drf", "r9_marge_autofinancement", "r10_equipement_rrf",
    "r11_dette_rrf",
)
"""The indicators computed by :func:`indicateurs_financiers` (label and unit of each: the vocabulary)."""

CLASSES_CAPACITE = ("satisfaisant", "vigilance", "alerte", "non calculable")
"""Classes of the capacité de désendettement (:func:`classe_capacite`)."""


def seuils_capacite(an) -> tuple[float, float]:
    """(vigilance, alerte) thresholds of the capacité de désendettement in force in year ``an``, in years: the
    dated parameters ``capacite_desendettement.seuil_vigilance`` and ``seuil_alerte`` (base/parametres/ratios.yaml,
    with their references)."""
    p = parametres()
    return (p("capacite_desendettement.seuil_vigilance", an), p("capacite_desendettement.seuil_alerte", an))


# ----------------------------------------------------------------------------------------------------
def _unites() -> dict[str, str]:
    return {n: vocabulaire.unite(n) for n in INDICATEURS}


def _detecter_colonnes(comptes: pd.DataFrame, colonnes: str | Mapping[str, str | None]) -> tuple[dict, str]:
    if isinstance(colonnes, Mapping):
        return dict(colonnes), "correspondance fournie par l'appelant"
    if colonnes == "auto":
        if "pftot" in comptes.columns or "caftot" in comptes.columns:
            colonnes = "gfp"
        elif "prod" in comptes.columns or "caf" in comptes.columns:
            colonnes = "communes"
        else:
            raise ErreurDonnees("ni les colonnes des communes (prod, caf…) ni celles des GFP (pftot, caftot…) : "
                                "format de comptes non reconnu", fichier=comptes.attrs.get("fichier", "comptes"),
                                colonne="prod / pftot")
    if colonnes == "communes":
        return dict(COLONNES_COMMUNES), DEFINITION_COMMUNES
    if colonnes == "gfp":
        return dict(COLONNES_GFP), DEFINITION_GFP
    raise ValueError(f"colonnes doit valoir 'auto', 'communes', 'gfp' ou une correspondance, pas {colonnes!r}")


def identifiants(comptes: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=comptes.index)
    if "entite" in comptes.columns:
        out["entite"] = comptes["entite"].astype("string")
    elif "code_insee" in comptes.columns:
        out["entite"] = comptes["code_insee"].astype("string")
    elif "siren" in comptes.columns:
        out["entite"] = comptes["siren"].astype("string")
    for c in ("an", "provenance"):
        if c in comptes.columns:
            out[c] = comptes[c]
    return out


def indicateurs_financiers(comptes: pd.DataFrame,
                           colonnes: str | Mapping[str, str | None] = "auto") -> pd.DataFrame:
    """Financial indicators per entity and year (same index as ``comptes``).

    ``comptes``: DGFiP comptes individuels of communes (``prod, charge, perso, fin, cont, caf, cafn, dette, remb,
    equip, impo1, dgf, pop1`` and ``pfcaf`` when present) or of a groupement à fiscalité propre (``pftot, cftot,
    perstot, cfitot, caftot, cafntot, entot, edettot, detot, dgftot, iltot, mpoid``). ``colonnes``: ``"auto"``
    (detected from the columns), ``"communes"`` (:data:`COLONNES_COMMUNES`), ``"gfp"`` (:data:`COLONNES_GFP`) or an
    explicit mapping standard name → field. A mapped field absent from the frame gives NaN, never 0.

    Definitions (DESIGN.md §3.1; DGFiP fields; art. L.2313-1 and R.2313-1 CGCT):

    - ``epargne_brute`` = DGFiP ``caf`` (CAF brute); ``epargne_nette`` = ``cafn`` (CAF − remboursement en capital);
    - ``drf`` = RRF − CAF (dépenses réelles de fonctionnement, art. R.2313-1 CGCT; ``charges_dgfip`` = the DGFiP
      ``charge``, amortissements included);
    - ``epargne_gestion`` = DGFiP ``ebf`` (excédent brut de fonctionnement) when present, else épargne brute +
      charges financières (``fin``, the proxy of the interest paid);
    - ``taux_epargne_brute`` = caf / (``pfcaf`` when present on the row, else ``prod``) × 100 (%);
      ``taux_epargne_nette`` = cafn / same denominator × 100;
    - ``capacite_desendettement`` = ``dette`` / ``caf`` (years); **NaN when épargne brute ≤ 0** (undefined, never a
      negative number of years; ``classe_capacite`` says « non calculable »);
    - ``rigidite_charges`` = (perso + cont + fin) / prod × 100 (%); GFP: (perstot + cfitot) / pftot × 100;
    - R.2313-1 CGCT ratios: ``r1_drf_hab`` DRF/pop, ``r2_impots_directs_hab`` impôts directs (impo1)/pop,
      ``r3_rrf_hab`` RRF/pop, ``r4_equipement_hab`` équipement brut/pop, ``r5_dette_hab`` encours/pop,
      ``r6_dgf_hab`` DGF/pop (€/hab = k€ × 1000 / population), ``r7_personnel_drf`` perso/DRF,
      ``r9_marge_autofinancement`` (DRF + remboursement)/RRF, ``r10_equipement_rrf`` équipement/RRF,
      ``r11_dette_rrf`` encours/RRF (%). Ratio 8 (coefficient de mobilisation du potentiel fiscal) is **not
      computable** without the potentiel fiscal: see :data:`RATIO_8_NON_CALCULABLE` (also in ``attrs``).

    Output: identifiers (``entite``, ``an``, ``provenance`` when present), the standard amounts (k€), the indicators,
    ``classe_capacite`` (:func:`classe_capacite`) and ``definition`` (which definition is used: DGFiP CAF, not
    prod − charge).
    ``attrs``: ``definition``, ``unites``, ``ratio_8``.
    """
    source = str(comptes.attrs.get("fichier", "comptes"))
    mapping, definition = _detecter_colonnes(comptes, colonnes)
    v = {k: numerique(comptes, mapping.get(k), source) for k in COLONNES_COMMUNES}
    pop = v["population"]
    if (pop < 0).any():
        pos = int(np.flatnonzero((pop < 0).to_numpy())[0])
        raise ErreurDonnees("population négative", fichier=source, ligne=pos + 2, colonne=mapping.get("population"),
                            valeur=pop.iloc[pos])
    pop = pop.where(pop > 0)
    out = identifiants(comptes)
    out["population"] = pop
    for k in ("rrf", "drf", "personnel", "interets", "contingents", "impots_directs", "dgf", "equipement",
              "remboursement", "encours_dette"):
        out[k] = v[k]
    caf, cafn, fin = v["epargne_brute"], v["epargne_nette"], v["interets"]
    out["charges_dgfip"] = v["drf"]
    v["drf"] = v["rrf"] - caf            # art. R.2313-1 CGCT: real operating spending (RRF − CAF)
    out["drf"] = v["drf"]
    out["epargne_gestion"] = v["ebf"].where(v["ebf"].notna(), caf + fin)
    out["epargne_brute"] = caf
    out["epargne_nette"] = cafn
    denom = v["produits_caf"].where(v["produits_caf"].notna(), v["rrf"])
    out["denominateur_taux_epargne"] = np.where(v["produits_caf"].notna(), "pfcaf",
                                                np.where(v["rrf"].notna(), mapping.get("rrf") or "rrf", pd.NA))
    out["taux_epargne_brute"] = diviser(caf, denom) * 100.0
    out["taux_epargne_nette"] = diviser(cafn, denom) * 100.0
    out["capacite_desendettement"] = v["encours_dette"] / caf.where(caf > 0)
    if mapping.get("contingents") is None:
        rigide = v["personnel"] + fin
    else:
        rigide = v["personnel"] + v["contingents"] + fin
    out["rigidite_charges"] = diviser(rigide, v["rrf"]) * 100.0
    hab = 1000.0 / pop
    out["encours_dette_par_habitant"] = v["encours_dette"] * hab
    out["epargne_brute_par_habitant"] = caf * hab
    out["r1_drf_hab"] = v["drf"] * hab
    out["r2_impots_directs_hab"] = v["impots_directs"] * hab
    out["r3_rrf_hab"] = v["rrf"] * hab
    out["r4_equipement_hab"] = v["equipement"] * hab
    out["r5_dette_hab"] = v["encours_dette"] * hab
    out["r6_dgf_hab"] = v["dgf"] * hab
    out["r7_personnel_drf"] = diviser(v["personnel"], v["drf"]) * 100.0
    out["r9_marge_autofinancement"] = diviser(v["drf"] + v["remboursement"], v["rrf"]) * 100.0
    out["r10_equipement_rrf"] = diviser(v["equipement"], v["rrf"]) * 100.0
    out["r11_dette_rrf"] = diviser(v["encours_dette"], v["rrf"]) * 100.0
    annees = comptes["an"] if "an" in comptes.columns else None
    out["classe_capacite"] = classe_capacite(out["capacite_desendettement"], caf, annees)
    out["definition"] = definition
    out.attrs["definition"] = definition
    out.attrs["unites"] = _unites()
    out.attrs["ratio_8"] = RATIO_8_NON_CALCULABLE
    return out


def indicateurs_financiers_gfp(comptes_gfp: pd.DataFrame) -> pd.DataFrame:
    """:func:`indicateurs_financiers` with the explicit GFP mapping :data:`COLONNES_GFP` (pftot, cftot, perstot,
    cfitot, caftot, cafntot, entot, edettot, detot, dgftot, iltot, mpoid). Budget principal + budgets annexes."""
    return indicateurs_financiers(comptes_gfp, colonnes="gfp")


def classe_capacite(capacite: pd.Series, epargne_brute: pd.Series, annees: pd.Series | None = None) -> pd.Series:
    """Class of the capacité de désendettement (:data:`CLASSES_CAPACITE`): « satisfaisant » below the vigilance
    threshold, « vigilance » from it up to the alert threshold included, « alerte » beyond, « non calculable » when
    the épargne brute is ≤ 0, NA when the data are missing. Thresholds: :func:`seuils_capacite` of each row's year
    (``annees``; the current thresholds when no year is given)."""
    res = pd.Series(pd.NA, index=capacite.index, dtype="string")
    if annees is None:
        annees = pd.Series(None, index=capacite.index, dtype="object")
    for an in pd.unique(annees):
        ligne = (annees == an) if pd.notna(an) else annees.isna()
        bas, haut = seuils_capacite(int(an) if pd.notna(an) else pd.Timestamp.today().year)
        c = capacite.where(ligne)
        res[c < bas] = "satisfaisant"
        res[(c >= bas) & (c <= haut)] = "vigilance"
        res[c > haut] = "alerte"
    res[epargne_brute <= 0] = "non calculable"
    return res


def indicateurs_entites(finances_communes: pd.DataFrame, finances_agglo: pd.DataFrame | None = None) -> pd.DataFrame:
    """Indicators of the communes and of the agglomeration in one tidy frame (one row per ``entite`` × ``an``).

    Communes use :data:`COLONNES_COMMUNES`, the agglomeration :data:`COLONNES_GFP`; column ``niveau`` is
    « commune » or « agglomération » and ``definition`` says which DGFiP definition each row uses.
    """
    parts = [indicateurs_financiers(finances_communes, colonnes="communes").assign(niveau="commune")]
    if finances_agglo is not None and len(finances_agglo):
        parts.append(indicateurs_financiers(finances_agglo, colonnes="gfp").assign(niveau="agglomération"))
    out = pd.concat(parts, ignore_index=True)
    out.attrs["ratio_8"] = RATIO_8_NON_CALCULABLE
    out.attrs["unites"] = _unites()
    return out.sort_values(["niveau", "entite", "an"], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# Evolutions
def evolution_annuelle(df: pd.DataFrame, colonnes: Iterable[str], cle: str = "entite") -> pd.DataFrame:
    """Annual growth rate (%) of each column per entity: (v_N / v_N−1 − 1) × 100.

    Only between consecutive years (a missing year gives NaN, not a growth over two years) and only when
    v_N−1 > 0 and v_N ≥ 0 (a growth rate across a change of sign is meaningless: NaN). Returns ``cle``, ``an`` and
    ``evol_<col>`` for each column, same row order as ``df`` sorted by ``cle``, ``an``.
    """
    d = df.sort_values([cle, "an"], kind="stable")
    out = d[[cle, "an"]].copy()
    prec_an = d.groupby(cle)["an"].shift(1)
    consecutif = (d["an"] - prec_an) == 1
    for c in colonnes:
        cur = d[c].astype("float64")
        prev = d.groupby(cle)[c].shift(1).astype("float64")
        ok = consecutif & (prev > 0) & (cur >= 0)
        out[f"evol_{c}"] = ((cur / prev - 1.0) * 100.0).where(ok)
    return out.reset_index(drop=True)


def tcam(df: pd.DataFrame, colonnes: Iterable[str], annee_debut: int, annee_fin: int,
         cle: str = "entite") -> pd.DataFrame:
    """Taux de croissance annuel moyen (CAGR, %) between two years, per entity:
    ((v_fin / v_debut) ^ (1 / (annee_fin − annee_debut)) − 1) × 100.

    NaN when one of the two years is missing, when v_debut ≤ 0 or v_fin < 0. Returns one row per entity with
    ``<col>_debut``, ``<col>_fin`` and ``tcam_<col>``.
    """
    if annee_fin <= annee_debut:
        raise ValueError(f"annee_fin ({annee_fin}) doit être postérieure à annee_debut ({annee_debut})")
    n = annee_fin - annee_debut
    entites = pd.Index(sorted(df[cle].dropna().unique()), name=cle)
    a = df[df["an"] == annee_debut].set_index(cle).reindex(entites)
    b = df[df["an"] == annee_fin].set_index(cle).reindex(entites)
    out = pd.DataFrame(index=entites)
    for c in colonnes:
        v0 = a[c].astype("float64")
        v1 = b[c].astype("float64")
        ok = (v0 > 0) & (v1 >= 0)
        out[f"{c}_debut"] = v0
        out[f"{c}_fin"] = v1
        out[f"tcam_{c}"] = (((v1 / v0.where(ok)) ** (1.0 / n) - 1.0) * 100.0).where(ok)
    out.attrs["periode"] = (annee_debut, annee_fin)
    return out.reset_index()
