"""Financial analysis of the communes and of the agglomeration (DESIGN.md §3.1–3.2).

Everything works on the DGFiP « comptes individuels » as read by :mod:`orleans_gov.sources.dgfip` or as stored in
the processed tables ``finances_communes`` / ``finances_agglo`` (docs/TABLES.md): amounts in k€, per-inhabitant
values in €/hab, structure ratios in %.

Definitions used (stated again in each docstring and in the ``definition`` column of the outputs):

- the DGFiP aggregates are used as published: ``prod`` (total des produits de fonctionnement) stands for the
  recettes réelles de fonctionnement (RRF), ``charge`` (total des charges de fonctionnement) for the dépenses réelles
  de fonctionnement (DRF). The DGFiP « produits / charges » include a few non-real items (e.g. dotations aux
  amortissements in ``charge``), which is why the DGFiP CAF is **not** ``prod − charge``: the épargnes are therefore
  read from the file's own ``caf`` / ``cafn`` rather than recomputed;
- for the groupements à fiscalité propre the DGFiP file consolidates the budget principal **and** the budgets
  annexes, and its products are net of the reversements de fiscalité (``revtot`` < 0: attributions de compensation
  and DSC paid to the communes).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE

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
}
"""DGFiP comptes individuels des groupements à fiscalité propre (budget principal + budgets annexes consolidés),
docs/FORMATS.md §2. The GFP file has no contingents line: the rigidité excludes them (stated in ``definition``)."""

DEFINITION_COMMUNES = ("DGFiP comptes individuels des communes, budget principal : épargne brute = CAF (caf), "
                       "épargne nette = CAF nette (cafn), épargne de gestion = CAF + charges financières (fin), "
                       "RRF ≈ total des produits (prod), DRF ≈ total des charges (charge) ; CAF ≠ prod − charge")
DEFINITION_GFP = ("DGFiP comptes individuels des GFP, budget principal + budgets annexes : épargne brute = caftot, "
                  "épargne nette = cafntot, épargne de gestion = caftot + cfitot, RRF ≈ pftot (net de la fiscalité "
                  "reversée), DRF ≈ cftot ; rigidité sans contingents (non isolés)")

RATIO_8_NON_CALCULABLE = ("Ratio 8 de l'art. R.2313-1 CGCT (coefficient de mobilisation du potentiel fiscal) : non "
                          "calculable, le potentiel fiscal (fiches DGF) n'est pas dans les données.")

UNITES: dict[str, str] = {
    "rrf": "k€", "drf": "k€", "personnel": "k€", "interets": "k€", "contingents": "k€", "encours_dette": "k€",
    "remboursement": "k€", "equipement": "k€", "impots_directs": "k€", "dgf": "k€",
    "epargne_gestion": "k€", "epargne_brute": "k€", "epargne_nette": "k€",
    "taux_epargne_brute": "%", "taux_epargne_nette": "%", "capacite_desendettement": "années",
    "rigidite_charges": "%", "encours_dette_par_habitant": "€/hab", "epargne_brute_par_habitant": "€/hab",
    "r1_drf_hab": "€/hab", "r2_impots_directs_hab": "€/hab", "r3_rrf_hab": "€/hab", "r4_equipement_hab": "€/hab",
    "r5_dette_hab": "€/hab", "r6_dgf_hab": "€/hab", "r7_personnel_drf": "%", "r9_marge_autofinancement": "%",
    "r10_equipement_rrf": "%", "r11_dette_rrf": "%",
}

LIBELLES: dict[str, str] = {
    "rrf": "Recettes de fonctionnement",
    "drf": "Dépenses de fonctionnement",
    "personnel": "Charges de personnel",
    "interets": "Charges financières",
    "impots_directs": "Impôts locaux",
    "dgf": "DGF",
    "equipement": "Dépenses d'équipement",
    "remboursement": "Remboursement de la dette",
    "encours_dette": "Encours de la dette au 31/12",
    "epargne_gestion": "Épargne de gestion",
    "epargne_brute": "Épargne brute (CAF)",
    "epargne_nette": "Épargne nette (CAF nette)",
    "taux_epargne_brute": "Taux d'épargne brute",
    "taux_epargne_nette": "Taux d'épargne nette",
    "capacite_desendettement": "Capacité de désendettement",
    "rigidite_charges": "Rigidité des charges structurelles",
    "encours_dette_par_habitant": "Encours de dette par habitant",
    "epargne_brute_par_habitant": "Épargne brute par habitant",
    "r1_drf_hab": "R1 Dépenses de fonctionnement / population",
    "r2_impots_directs_hab": "R2 Impôts directs / population",
    "r3_rrf_hab": "R3 Recettes de fonctionnement / population",
    "r4_equipement_hab": "R4 Dépenses d'équipement brut / population",
    "r5_dette_hab": "R5 Encours de dette / population",
    "r6_dgf_hab": "R6 DGF / population",
    "r7_personnel_drf": "R7 Dépenses de personnel / DRF",
    "r9_marge_autofinancement": "R9 (DRF + remboursement de dette) / RRF",
    "r10_equipement_rrf": "R10 Dépenses d'équipement brut / RRF",
    "r11_dette_rrf": "R11 Encours de dette / RRF",
}

SEUILS_CAPACITE = (8.0, 12.0)
"""Usual reading of the capacité de désendettement (years): < 8 satisfaisant, 8–12 vigilance, > 12 alerte."""


# ----------------------------------------------------------------------------------------------------
def _num(df: pd.DataFrame, col: str | None, source: str) -> pd.Series:
    """Column as float64 (NaN when the mapped field is absent from the frame); non-numeric content is an error."""
    if col is None or col not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype="float64")
    s = df[col]
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    conv = pd.to_numeric(s, errors="coerce")
    mauvais = conv.isna() & s.notna()
    if mauvais.any():
        pos = int(np.flatnonzero(mauvais.to_numpy())[0])
        raise ErreurDonnees("valeur non numérique (ligne de données n° 1 = ligne 2 du fichier)", fichier=source,
                            ligne=pos + 2, colonne=col, valeur=s.iloc[pos])
    return conv.astype("float64")


def _div(a: pd.Series, b: pd.Series) -> pd.Series:
    """a / b with NaN (never ±inf) when b is 0 or missing."""
    return a / b.where(b != 0)


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


def _identifiants(comptes: pd.DataFrame) -> pd.DataFrame:
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
    - ``epargne_gestion`` = épargne brute + charges financières (``fin``, used as the proxy of the interest paid);
    - ``taux_epargne_brute`` = caf / (``pfcaf`` when present on the row, else ``prod``) × 100 (%);
      ``taux_epargne_nette`` = cafn / same denominator × 100;
    - ``capacite_desendettement`` = ``dette`` / ``caf`` (years); **NaN when épargne brute ≤ 0** (undefined, never a
      negative number of years; ``lecture_capacite`` says « non calculable (épargne brute ≤ 0) »);
    - ``rigidite_charges`` = (perso + cont + fin) / prod × 100 (%); GFP: (perstot + cfitot) / pftot × 100;
    - R.2313-1 CGCT ratios: ``r1_drf_hab`` DRF/pop, ``r2_impots_directs_hab`` impôts directs (impo1)/pop,
      ``r3_rrf_hab`` RRF/pop, ``r4_equipement_hab`` équipement brut/pop, ``r5_dette_hab`` encours/pop,
      ``r6_dgf_hab`` DGF/pop (€/hab = k€ × 1000 / population), ``r7_personnel_drf`` perso/DRF,
      ``r9_marge_autofinancement`` (DRF + remboursement)/RRF, ``r10_equipement_rrf`` équipement/RRF,
      ``r11_dette_rrf`` encours/RRF (%). Ratio 8 (coefficient de mobilisation du potentiel fiscal) is **not
      computable** without the potentiel fiscal: see :data:`RATIO_8_NON_CALCULABLE` (also in ``attrs``).

    Output: identifiers (``entite``, ``an``, ``provenance`` when present), the standard amounts (k€), the indicators,
    ``lecture_capacite`` and ``definition`` (which definition is used: DGFiP CAF, not prod − charge).
    ``attrs``: ``definition``, ``unites``, ``ratio_8``.
    """
    source = str(comptes.attrs.get("fichier", "comptes"))
    mapping, definition = _detecter_colonnes(comptes, colonnes)
    v = {k: _num(comptes, mapping.get(k), source) for k in COLONNES_COMMUNES}
    pop = v["population"]
    if (pop < 0).any():
        pos = int(np.flatnonzero((pop < 0).to_numpy())[0])
        raise ErreurDonnees("population négative", fichier=source, ligne=pos + 2, colonne=mapping.get("population"),
                            valeur=pop.iloc[pos])
    pop = pop.where(pop > 0)
    out = _identifiants(comptes)
    out["population"] = pop
    for k in ("rrf", "drf", "personnel", "interets", "contingents", "impots_directs", "dgf", "equipement",
              "remboursement", "encours_dette"):
        out[k] = v[k]
    caf, cafn, fin = v["epargne_brute"], v["epargne_nette"], v["interets"]
    out["epargne_gestion"] = caf + fin
    out["epargne_brute"] = caf
    out["epargne_nette"] = cafn
    denom = v["produits_caf"].where(v["produits_caf"].notna(), v["rrf"])
    out["denominateur_taux_epargne"] = np.where(v["produits_caf"].notna(), "pfcaf",
                                                np.where(v["rrf"].notna(), mapping.get("rrf") or "rrf", pd.NA))
    out["taux_epargne_brute"] = _div(caf, denom) * 100.0
    out["taux_epargne_nette"] = _div(cafn, denom) * 100.0
    out["capacite_desendettement"] = v["encours_dette"] / caf.where(caf > 0)
    if mapping.get("contingents") is None:
        rigide = v["personnel"] + fin
    else:
        rigide = v["personnel"] + v["contingents"] + fin
    out["rigidite_charges"] = _div(rigide, v["rrf"]) * 100.0
    hab = 1000.0 / pop
    out["encours_dette_par_habitant"] = v["encours_dette"] * hab
    out["epargne_brute_par_habitant"] = caf * hab
    out["r1_drf_hab"] = v["drf"] * hab
    out["r2_impots_directs_hab"] = v["impots_directs"] * hab
    out["r3_rrf_hab"] = v["rrf"] * hab
    out["r4_equipement_hab"] = v["equipement"] * hab
    out["r5_dette_hab"] = v["encours_dette"] * hab
    out["r6_dgf_hab"] = v["dgf"] * hab
    out["r7_personnel_drf"] = _div(v["personnel"], v["drf"]) * 100.0
    out["r9_marge_autofinancement"] = _div(v["drf"] + v["remboursement"], v["rrf"]) * 100.0
    out["r10_equipement_rrf"] = _div(v["equipement"], v["rrf"]) * 100.0
    out["r11_dette_rrf"] = _div(v["encours_dette"], v["rrf"]) * 100.0
    out["lecture_capacite"] = lecture_capacite(out["capacite_desendettement"], caf)
    out["definition"] = definition
    out.attrs["definition"] = definition
    out.attrs["unites"] = dict(UNITES)
    out.attrs["ratio_8"] = RATIO_8_NON_CALCULABLE
    return out


def indicateurs_financiers_gfp(comptes_gfp: pd.DataFrame) -> pd.DataFrame:
    """:func:`indicateurs_financiers` with the explicit GFP mapping :data:`COLONNES_GFP` (pftot, cftot, perstot,
    cfitot, caftot, cafntot, entot, edettot, detot, dgftot, iltot, mpoid). Budget principal + budgets annexes."""
    return indicateurs_financiers(comptes_gfp, colonnes="gfp")


def lecture_capacite(capacite: pd.Series, epargne_brute: pd.Series) -> pd.Series:
    """French reading of the capacité de désendettement: « satisfaisant (< 8 ans) », « vigilance (8 à 12 ans) »,
    « alerte (> 12 ans) », « non calculable (épargne brute ≤ 0) », or NA when the data are missing."""
    bas, haut = SEUILS_CAPACITE
    res = pd.Series(pd.NA, index=capacite.index, dtype="string")
    res[capacite < bas] = "satisfaisant (< 8 ans)"
    res[(capacite >= bas) & (capacite <= haut)] = "vigilance (8 à 12 ans)"
    res[capacite > haut] = "alerte (> 12 ans)"
    res[epargne_brute <= 0] = "non calculable (épargne brute ≤ 0)"
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
    out.attrs["unites"] = dict(UNITES)
    return out.sort_values(["niveau", "entite", "an"], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# Strata comparison
CHAMPS_STRATE: dict[str, str] = {
    "prod": "Produits de fonctionnement",
    "impo1": "Impôts locaux",
    "dgf": "DGF",
    "charge": "Charges de fonctionnement",
    "perso": "Charges de personnel",
    "achat": "Achats et charges externes",
    "subv": "Subventions versées",
    "fin": "Charges financières",
    "equip": "Dépenses d'équipement",
    "caf": "Épargne brute (CAF)",
    "cafn": "Épargne nette (CAF nette)",
    "dette": "Encours de la dette",
    "annu": "Annuité de la dette",
}
"""DGFiP fields compared to the strata mean (€/hab) by default."""


def comparaison_strate(comptes: pd.DataFrame, champs: Iterable[str] | None = None,
                       moyennes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-inhabitant value of each commune against the mean of its DGFiP strata, same year (DESIGN.md §3.1).

    For each field X: ``valeur_eur_hab`` = the file's ``fX`` (€/hab on ``pop1``; recomputed as X × 1000 / pop1 when
    ``fX`` is absent); ``moyenne_strate_eur_hab`` = the file's ``mX`` (mean of the communes of the same population
    band × fiscal regime × year), or, when absent, the ``valeur`` of the ``moyennes_strates`` table for the same
    ``an``, ``strate`` (= ``nomsst1``), ``regime`` (= ``nomsst2``), ``code`` = X and ``unite`` €/hab;
    ``indice`` = valeur / moyenne × 100 (100 = the strata mean); ``ecart_eur_hab`` = valeur − moyenne.
    Both missing → NaN (never 0). ``source_moyenne`` says where the mean comes from.

    Returns a long frame: ``entite``, ``an``, ``strate``, ``champ``, ``libelle``, ``valeur_eur_hab``,
    ``moyenne_strate_eur_hab``, ``indice``, ``ecart_eur_hab``, ``source_moyenne``, ``provenance``.
    """
    champs = list(champs) if champs is not None else list(CHAMPS_STRATE)
    source = str(comptes.attrs.get("fichier", "comptes"))
    ids = _identifiants(comptes)
    pop = _num(comptes, "pop1", source).where(lambda s: s > 0)
    strate = comptes["nomsst1"].astype("string") if "nomsst1" in comptes else pd.Series(pd.NA, index=comptes.index, dtype="string")
    regime = comptes["nomsst2"].astype("string") if "nomsst2" in comptes else pd.Series(pd.NA, index=comptes.index, dtype="string")
    table_m: dict[tuple, float] = {}
    if moyennes is not None and len(moyennes):
        m = moyennes[moyennes["unite"] == "€/hab"]
        table_m = {(int(r.an), str(r.strate), str(r.regime), str(r.code)): float(r.valeur) for r in m.itertuples()}
    parts = []
    for x in champs:
        val = _num(comptes, f"f{x}", source)
        recalc = _num(comptes, x, source) * 1000.0 / pop
        val = val.where(val.notna(), recalc)
        moy = _num(comptes, f"m{x}", source)
        src = pd.Series(np.where(moy.notna(), f"fichier DGFiP (m{x})", None), index=comptes.index, dtype="object")
        if table_m:
            manque = moy.isna()
            for i in moy.index[manque.to_numpy()]:
                cle = (int(ids.at[i, "an"]), str(strate[i]), str(regime[i]), x)
                if cle in table_m:
                    moy.at[i] = table_m[cle]
                    src.at[i] = "table moyennes_strates (DGFiP)"
        part = ids.copy()
        part["strate"] = strate
        part["champ"] = x
        part["libelle"] = CHAMPS_STRATE.get(x, x)
        part["valeur_eur_hab"] = val
        part["moyenne_strate_eur_hab"] = moy
        part["indice"] = _div(val, moy) * 100.0
        part["ecart_eur_hab"] = val - moy
        part["source_moyenne"] = pd.Series(src, dtype="string")
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["entite", "an", "champ"], kind="stable").reset_index(drop=True)


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


# ----------------------------------------------------------------------------------------------------
# Bloc communal
INDICATEURS_BLOC: dict[str, tuple[str, str, bool]] = {
    # indicateur: (champ communes, champ GFP, affecté par les flux internes AC + DSC)
    "rrf": ("prod", "pftot", True),
    "drf": ("charge", "cftot", False),
    "personnel": ("perso", "perstot", False),
    "impots_directs": ("impo1", "iltot", False),
    "dgf": ("dgf", "dgftot", False),
    "epargne_brute": ("caf", "caftot", True),
    "epargne_nette": ("cafn", "cafntot", True),
    "equipement": ("equip", "detot", False),
    "encours_dette": ("dette", "entot", False),
}


def bloc_communal(finances_communes: pd.DataFrame, finances_agglo: pd.DataFrame,
                  flux: pd.DataFrame | None = None, indicateurs: Iterable[str] | None = None,
                  tolerance_keur: float = 1.0,
                  communes_attendues: Iterable[str] | None = CODES_INSEE) -> pd.DataFrame:
    """Consolidated « bloc communal » (22 communes + agglomeration) per year, flows between them removed (DESIGN §3.2).

    Internal flows F = attributions de compensation + DSC paid by the agglomeration to its communes: from the
    ``flux_agglo_communes`` table (Σ ``attribution_compensation`` + ``dsc`` of the year) when ``flux`` is given,
    else F = − ``revtot`` of the GFP file. F is a receipt of the communes (inside their ``prod``, chapter 73, and
    therefore inside their ``caf`` / ``cafn``) and, for the agglomeration, a reversement recorded as the negative
    ``revtot`` inside its products (``pftot``, hence ``caftot`` / ``cafntot``).

    Exact rule, for RRF and épargnes (flow-affected indicators):

    - communes (own resources, before transfers) = Σ communes field − F;
    - agglomération (gross, before reversement) = GFP field − ``revtot`` (= field + F);
    - bloc = communes + agglomération = Σ communes field + GFP field − ``revtot`` − F. The naive sum of the gross
      amounts counts the flows twice (received by the communes, collected by the agglomeration): consolidation
      subtracts them **once**. When F = − ``revtot`` this equals Σ communes field + GFP field.

    DRF, personnel, impôts locaux, DGF, équipement and dette are not affected (AC/DSC are neither in ``charge`` of the
    communes nor in ``cftot``): bloc = Σ communes + agglomeration. Caveats: the GFP file consolidates the budgets
    annexes, the communes' file only the budget principal.

    Sums over communes are strict (one missing value → NaN); ``nb_communes`` gives the communes present that year
    and, when one of ``communes_attendues`` (default: the 22 communes of the perimeter; None = no check) has no
    account that year, the communes' and the bloc's values are NaN and ``communes_manquantes`` names them (a partial
    sum would silently count the missing commune as 0).
    ``ecart_flux_revtot_keur`` = F (table) + ``revtot`` checks the two sources agree (NaN without the flows table);
    beyond ``tolerance_keur`` it is reported in ``attrs['alertes']`` (not silently fixed).

    Returns a long frame: ``an``, ``indicateur``, ``libelle``, ``communes_keur``, ``agglomeration_keur``,
    ``flux_internes_keur``, ``bloc_keur``, ``population`` (Σ ``pop1`` of the communes), ``bloc_eur_hab``,
    ``part_communes_pct``, ``part_agglomeration_pct``, ``nb_communes``, ``ecart_flux_revtot_keur``,
    ``affecte_par_flux`` (the indicator contains the AC/DSC flows), ``provenance``.
    """
    indicateurs = list(indicateurs) if indicateurs is not None else list(INDICATEURS_BLOC)
    src_c = str(finances_communes.attrs.get("fichier", "finances_communes"))
    src_a = str(finances_agglo.attrs.get("fichier", "finances_agglo"))
    for ind in indicateurs:
        if ind not in INDICATEURS_BLOC:
            raise ValueError(f"indicateur du bloc inconnu : {ind!r} (attendu : {', '.join(INDICATEURS_BLOC)})")
    ann_c = set(finances_communes["an"].astype(int))
    ann_a = set(finances_agglo["an"].astype(int))
    annees = sorted(ann_c | ann_a)
    flux_an: dict[int, float] = {}
    if flux is not None:
        for c in ("an", "attribution_compensation", "dsc"):
            if c not in flux.columns:
                raise ErreurDonnees("colonne obligatoire absente", fichier="flux_agglo_communes", colonne=c)
        f = flux.assign(_f=flux["attribution_compensation"].astype("float64") + flux["dsc"].astype("float64"))
        flux_an = {int(a): g["_f"].sum(min_count=1, skipna=False) for a, g in f.groupby("an")}
    rows = []
    alertes = []
    for an in annees:
        c = finances_communes[finances_communes["an"] == an]
        presentes = set(c["code_insee"].astype(str)) if "code_insee" in c else set()
        manquantes = sorted(set(communes_attendues) - presentes) if communes_attendues is not None else []
        a = finances_agglo[finances_agglo["an"] == an]
        if len(a) > 1:
            raise ErreurDonnees(f"plusieurs lignes de l'agglomération pour {an}", fichier=src_a, colonne="an", valeur=an)
        revtot = float(_num(a, "revtot", src_a).iloc[0]) if len(a) else np.nan
        if flux is not None:
            F = float(flux_an.get(an, np.nan))
            ecart = F + revtot
            if pd.notna(ecart) and abs(ecart) > tolerance_keur:
                alertes.append(f"{an} : Σ(AC + DSC) de la table des flux = {F:,.0f} k€ mais revtot = {revtot:,.0f} k€ "
                               f"(écart {ecart:,.0f} k€)")
        else:
            F = -revtot
            ecart = np.nan
        pop = _num(c, "pop1", src_c).sum(min_count=1, skipna=False) if len(c) and not manquantes else np.nan
        prov = set(c.get("provenance", pd.Series(dtype="string")).dropna()) | set(a.get("provenance", pd.Series(dtype="string")).dropna())
        provenance = "exemple" if "exemple" in prov else ("réel" if prov else pd.NA)
        for ind in indicateurs:
            cc, ca, affecte = INDICATEURS_BLOC[ind]
            som_c = _num(c, cc, src_c).sum(min_count=1, skipna=False) if len(c) and not manquantes else np.nan
            val_a = float(_num(a, ca, src_a).iloc[0]) if len(a) else np.nan
            if affecte:
                communes = som_c - F
                agglo = val_a - revtot
                flux_int = F
            else:
                communes, agglo, flux_int = som_c, val_a, np.nan
            bloc = communes + agglo
            rows.append({
                "an": int(an), "indicateur": ind, "libelle": LIBELLES.get(ind, ind),
                "communes_keur": communes, "agglomeration_keur": agglo, "flux_internes_keur": flux_int,
                "bloc_keur": bloc, "population": pop,
                "bloc_eur_hab": bloc * 1000.0 / pop if pd.notna(pop) and pop > 0 else np.nan,
                "part_communes_pct": communes / bloc * 100.0 if pd.notna(bloc) and bloc > 0 else np.nan,
                "part_agglomeration_pct": agglo / bloc * 100.0 if pd.notna(bloc) and bloc > 0 else np.nan,
                "nb_communes": int(c["code_insee"].nunique()) if "code_insee" in c else len(c),
                "communes_manquantes": ", ".join(manquantes),
                "ecart_flux_revtot_keur": ecart, "affecte_par_flux": affecte, "provenance": provenance,
            })
    out = pd.DataFrame(rows)
    out.attrs["alertes"] = alertes
    out.attrs["definition"] = ("Bloc communal = Σ communes + agglomération ; recettes et épargnes : flux internes "
                               "(AC + DSC) retranchés une fois ; parts calculées avant reversement (communes hors "
                               "AC/DSC reçues, agglomération avant fiscalité reversée).")
    return out


# ----------------------------------------------------------------------------------------------------
# Tables and generated sentences for the deliverables (French, computed from the results)
def _nom(entite: str) -> str:
    from orleans_gov.base.territoire import nom_entite
    try:
        return nom_entite(entite)
    except KeyError:
        return str(entite)


def tableau_indicateurs(indicateurs: pd.DataFrame, comparaison: pd.DataFrame | None, an: int) -> pd.DataFrame:
    """One row per entity for year ``an`` (communes by name, then the agglomeration), French column labels.

    ``indicateurs``: :func:`indicateurs_entites`; ``comparaison``: :func:`comparaison_strate` (adds the strata
    index, 100 = strata mean, of the DRF and personnel per inhabitant; the agglomeration has no strata: n.d.).
    """
    d = indicateurs[indicateurs["an"] == an].copy()
    d["Entité"] = d["entite"].map(_nom)
    out = pd.DataFrame({
        "Entité": d["Entité"],
        "Population": d["population"],
        "Recettes de fonct. (€/hab.)": d["r3_rrf_hab"],
        "Dépenses de fonct. (€/hab.)": d["r1_drf_hab"],
        "Taux d'épargne brute (%)": d["taux_epargne_brute"],
        "Épargne nette (k€)": d["epargne_nette"],
        "Encours de dette (€/hab.)": d["encours_dette_par_habitant"],
        "Capacité de désendettement (années)": d["capacite_desendettement"],
        "Rigidité des charges (%)": d["rigidite_charges"],
        "Personnel / dépenses de fonct. (%)": d["r7_personnel_drf"],
    }, index=d.index)
    if comparaison is not None and len(comparaison):
        c = comparaison[comparaison["an"] == an]
        for champ, lib in (("charge", "Indice strate dép. de fonct."), ("perso", "Indice strate personnel")):
            m = c[c["champ"] == champ].set_index("entite")["indice"]
            out[lib] = d["entite"].map(m).astype("float64")
    out["Lecture de la capacité"] = d["lecture_capacite"].fillna("n.d.")
    if "provenance" in d:
        out["provenance"] = d["provenance"]
    niveau = d["niveau"] if "niveau" in d else pd.Series("commune", index=d.index)
    out["_ordre"] = (niveau != "commune").astype(int)
    return out.sort_values(["_ordre", "Entité"]).drop(columns="_ordre").set_index("Entité")


def _liste(noms: list[str]) -> str:
    if not noms:
        return ""
    if len(noms) == 1:
        return noms[0]
    return ", ".join(noms[:-1]) + " et " + noms[-1]


def phrases_situation(indicateurs: pd.DataFrame, an: int) -> list[str]:
    """Sentences on the financial situation in year ``an`` computed from :func:`indicateurs_entites`."""
    from orleans_gov.restitution.presentation import fmt_nombre, fmt_pct
    d = indicateurs[(indicateurs["an"] == an)]
    c = d[d.get("niveau", pd.Series("commune", index=d.index)) == "commune"]
    out: list[str] = []
    if c.empty:
        return [f"Aucun compte de commune n'est disponible pour {an}."]
    taux = c.set_index("entite")["taux_epargne_brute"].dropna()
    if len(taux):
        bas = taux.idxmin()
        haut = taux.idxmax()
        out.append(f"En {an}, le taux d'épargne brute des communes va de {fmt_pct(taux[bas], 1, fraction=False)} "
                   f"({_nom(bas)}) à {fmt_pct(taux[haut], 1, fraction=False)} ({_nom(haut)}) ; "
                   f"la médiane est de {fmt_pct(taux.median(), 1, fraction=False)}.")
    negatives = sorted(_nom(e) for e in c.loc[c["epargne_brute"] <= 0, "entite"])
    if negatives:
        out.append(f"{len(negatives)} commune(s) ont une épargne brute nulle ou négative en {an} "
                   f"({_liste(negatives)}) : leur capacité de désendettement n'est pas calculable.")
    cap = c.set_index("entite")["capacite_desendettement"]
    alerte = cap[cap > SEUILS_CAPACITE[1]].sort_values(ascending=False)
    vigil = cap[(cap >= SEUILS_CAPACITE[0]) & (cap <= SEUILS_CAPACITE[1])]
    if len(alerte):
        out.append(f"{len(alerte)} commune(s) dépassent 12 ans de capacité de désendettement (seuil d'alerte) : "
                   + _liste([f"{_nom(e)} ({fmt_nombre(v, 1)} ans)" for e, v in alerte.items()]) + ".")
    if len(vigil):
        out.append(f"{len(vigil)} commune(s) sont dans la zone de vigilance (8 à 12 ans) : "
                   + _liste([f"{_nom(e)} ({fmt_nombre(v, 1)} ans)" for e, v in vigil.sort_values().items()]) + ".")
    if not len(alerte) and not len(vigil) and cap.notna().any():
        out.append(f"Toutes les communes dont la capacité est calculable sont sous 8 ans (maximum : "
                   f"{_nom(cap.idxmax())}, {fmt_nombre(cap.max(), 1)} ans).")
    manquantes = int(cap.isna().sum()) - len(negatives)
    if manquantes > 0:
        out.append(f"La capacité de désendettement n'est pas disponible pour {manquantes} commune(s) "
                   f"(données manquantes).")
    a = d[d.get("niveau", pd.Series("", index=d.index)) == "agglomération"]
    if len(a):
        r = a.iloc[0]
        cap_a = r["capacite_desendettement"]
        txt = (f"L'agglomération dégage un taux d'épargne brute de {fmt_pct(r['taux_epargne_brute'], 1, fraction=False)} "
               f"(budget principal et budgets annexes) ; ")
        txt += (f"sa capacité de désendettement est de {fmt_nombre(cap_a, 1)} ans — lecture : {r['lecture_capacite']}."
                if pd.notna(cap_a) else "sa capacité de désendettement n'est pas calculable.")
        out.append(txt)
    return out


def phrases_strate(comparaison: pd.DataFrame, an: int, champ: str = "perso", seuil: float = 5.0,
                   max_noms: int = 5) -> list[str]:
    """Sentences « which commune is above / below its strata on <champ>, by how much » for year ``an``.

    ``comparaison``: :func:`comparaison_strate`. A commune is « above » when its index exceeds 100 + ``seuil``
    points, « below » under 100 − ``seuil``; communes without a strata mean are counted as not compared.
    """
    from orleans_gov.restitution.presentation import fmt_eur_hab, fmt_nombre
    c = comparaison[(comparaison["an"] == an) & (comparaison["champ"] == champ)]
    lib = CHAMPS_STRATE.get(champ, champ).lower()
    if c.empty:
        return [f"Pas de comparaison à la strate possible pour « {lib} » en {an}."]
    ok = c.dropna(subset=["indice"])
    dessus = ok[ok["indice"] > 100 + seuil].sort_values("indice", ascending=False)
    dessous = ok[ok["indice"] < 100 - seuil].sort_values("indice")
    out = []

    def detail(g: pd.DataFrame) -> str:
        return _liste([f"{_nom(r.entite)} ({'+' if r.indice >= 100 else '−'}{fmt_nombre(abs(r.indice - 100), 0)} %, "
                       f"{fmt_eur_hab(r.valeur_eur_hab)} contre {fmt_eur_hab(r.moyenne_strate_eur_hab)})"
                       for r in g.head(max_noms).itertuples()])

    debut = (f"En {an}, sur {len(ok)} communes comparées, {len(dessus)} dépassent de plus de {fmt_nombre(seuil)} % "
             f"la moyenne de leur strate pour les {lib}")
    if len(dessus) > max_noms:
        debut += f" ; les {max_noms} plus forts écarts : {detail(dessus)}"
    elif len(dessus):
        debut += f" : {detail(dessus)}"
    out.append(debut + ".")
    if len(dessous):
        suite = f"{len(dessous)} commune(s) sont à plus de {fmt_nombre(seuil)} % sous leur strate"
        suite += (f" ; les {max_noms} plus forts écarts : " if len(dessous) > max_noms else " : ") + detail(dessous)
        out.append(suite + ".")
    sans = len(c) - len(ok)
    if sans:
        out.append(f"{sans} commune(s) sans moyenne de strate disponible pour cette année n'ont pas été comparées.")
    return out


def phrases_bloc(bloc: pd.DataFrame, an: int) -> list[str]:
    """Sentences on the consolidated bloc communal in year ``an`` (input: :func:`bloc_communal`)."""
    from orleans_gov.restitution.presentation import fmt_eur_hab, fmt_meur, fmt_pct
    b = bloc[bloc["an"] == an].set_index("indicateur")
    if b.empty:
        return [f"Le bloc communal n'est pas disponible pour {an}."]
    out = []
    if "rrf" in b.index and pd.notna(b.loc["rrf", "bloc_keur"]):
        r = b.loc["rrf"]
        out.append(f"En {an}, le bloc communal (22 communes et agglomération) a perçu {fmt_meur(r['bloc_keur'])} de "
                   f"recettes de fonctionnement consolidées, soit {fmt_eur_hab(r['bloc_eur_hab'])}, après "
                   f"neutralisation de {fmt_meur(r['flux_internes_keur'])} d'attributions de compensation et de DSC "
                   f"versées par l'agglomération ; l'agglomération en perçoit {fmt_pct(r['part_agglomeration_pct'], 1, fraction=False)} "
                   f"avant reversement.")
    formules = {"encours_dette": "porte {p} de l'encours de dette du bloc",
                "equipement": "réalise {p} des dépenses d'équipement du bloc",
                "personnel": "supporte {p} des charges de personnel du bloc"}
    for ind, f in formules.items():
        if ind in b.index and pd.notna(b.loc[ind, "part_agglomeration_pct"]):
            r = b.loc[ind]
            out.append("L'agglomération " + f.format(p=fmt_pct(r["part_agglomeration_pct"], 1, fraction=False))
                       + f" ({fmt_meur(r['agglomeration_keur'])} sur {fmt_meur(r['bloc_keur'])}).")
    return out


def note_provenance(df: pd.DataFrame, cle: str = "entite") -> str:
    """Short French description of the provenance of the rows shown, for the source lines: which rows are real
    published data and which are sample data (e.g. « Orléans 2013, 2014 : données réelles ; autres : données
    d'exemple »)."""
    if "provenance" not in df.columns or df.empty:
        return "provenance non renseignée"
    reel = df[df["provenance"] == "réel"]
    ex = df[df["provenance"] == "exemple"]
    if ex.empty:
        return "données réelles publiées"
    if reel.empty:
        return "données d'exemple (synthétiques)"
    morceaux = []
    col = cle if cle in df.columns else ("code_insee" if "code_insee" in df.columns else None)
    if col is not None and "an" in df.columns:
        for e, g in reel.groupby(col, sort=True):
            morceaux.append(f"{_nom(str(e))} {', '.join(str(a) for a in sorted(g['an'].unique()))}")
    return ("données réelles : " + "; ".join(morceaux) + " ; autres lignes : données d'exemple (synthétiques)")
