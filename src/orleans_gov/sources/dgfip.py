"""DGFiP « comptes individuels » readers (communes and groupements à fiscalité propre) and the DGFiP ratios.

Formats: docs/FORMATS.md §1–2 (copied from the client's reference). Amounts in k€, ``fX`` in €/hab
(on ``pop1``), ``mX`` strata means in €/hab, ``rX``/``rmX`` structure ratios in %.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import REGIME_FPU, code_insee_depuis_dgfip, strate_dgfip
from orleans_gov.base.fichiers import exiger_fichier
from orleans_gov.sources.csv_officiel import (POPULATION_MAX, annees, controler, en_nombres, lire_table_texte,
                                              refuser_fautes_entete, signaler_inconnues)
from orleans_gov.sources.colonnes_communes import (  # noqa: F401  re-exported: defined without pandas
    _AJOUT_2017, _AJOUT_2017_BIS, _AJOUT_2023, COLONNES_CONNUES_COMMUNES, COLONNES_TEXTE_COMMUNES,
    DENOMINATEURS_RATIOS, ENTETE_COMMUNES_2013, ENTETE_COMMUNES_2017, ENTETE_COMMUNES_2017_BIS,
    REQUISES_COMMUNES, TOLERANCE_PAR_HABITANT, TOLERANCE_RATIO, ratios_recalcules, verifier_ratios_colonnes)


def _valeurs(df: pd.DataFrame):
    """Column getter of :func:`~orleans_gov.sources.colonnes_communes.ratios_recalcules` on a frame."""
    return lambda c: df[c].astype("float64").to_numpy()


def _population(df: pd.DataFrame, population: str):
    """``pop1`` of the frame as float64 (non-numbers missing), or None when the frame has no such column."""
    if population not in df.columns:  # an API export without pop1: no per-inhabitant value can be recomputed
        return None
    return pd.to_numeric(df[population], errors="coerce").astype("float64").to_numpy()


def ratios_dgfip(df: pd.DataFrame, population: str = "pop1") -> pd.DataFrame:
    """Recompute the DGFiP per-inhabitant values and structure ratios from the amounts.

    - ``fX = X × 1000 / pop1`` (X in k€, result in €/hab; DGFiP definition of the « en euros par habitant »
      columns of the comptes individuels, population légale ``pop1``); missing when ``pop1`` is 0 or missing.
    - ``rX = X / D × 100`` (%) with the DGFiP's denominator D of each ratio (:data:`DENOMINATEURS_RATIOS`:
      impôts and DGF over total produits de fonctionnement, charges over total charges, investment
      resources over ``recinv``, uses over ``depinv``, CAF/EBF/dette/annuité over ``prod``).

    Returns a frame with the same index and the DGFiP column names, unrounded (compare with the file's
    rounded values with a tolerance of 1 €/hab and 0,05 point). The formulas are those of
    :func:`~orleans_gov.sources.colonnes_communes.ratios_recalcules` (pandas-free, shared with ``extraire comptes``).
    """
    return pd.DataFrame(ratios_recalcules(list(df.columns), _valeurs(df), _population(df, population)),
                        index=df.index)


def verifier_ratios(df: pd.DataFrame, fichier: str | Path) -> None:
    """Raise :class:`ErreurDonnees` when a file's ``f*`` or ``r*`` contradict its amounts.

    Tolerance: 1 €/hab and 0,05 point of % above the rounding of the file (plus a relative margin of 1e-3
    for amounts that the file itself rounds to the k€). The check is
    :func:`~orleans_gov.sources.colonnes_communes.verifier_ratios_colonnes` (``ligne``: the frame's index).
    """
    verifier_ratios_colonnes(list(df.columns), _valeurs(df), _population(df, "pop1"), df.index, fichier)


def _refuser_premiere(mauvais: pd.Series, message: str, path: Path, colonne: str, brut: pd.DataFrame) -> None:
    """Raise :class:`ErreurDonnees` on the first True of ``mauvais``: its line, the column, the raw value."""
    if mauvais.any():
        ligne = mauvais.index[mauvais.to_numpy()][0]
        raise ErreurDonnees(message, fichier=path, ligne=int(ligne), colonne=colonne, valeur=brut.at[ligne, colonne])


def _provenance_par_defaut(path: Path) -> str:
    return "exemple" if "sample" in path.resolve().parts else "réel"


def read_comptes_communes(path: str | Path, *, provenance: str | None = None,
                          verifier: bool = True) -> pd.DataFrame:
    """Read a DGFiP « comptes individuels des communes » file (budget principal).

    Accepts every variant of docs/FORMATS.md §1: 2013–2015 header (205 fields, empty last field),
    2017+ headers (219 fields and the longer variants), Explore API exports (byte-order mark, a subset of
    columns chosen with ``select``, ``column_NNN`` trailing empty field), any column order, UTF-8 or CP1252.
    Required columns: ``an``, ``dep``, ``icom``; every other known column is optional; unknown columns are
    kept and reported once (:class:`AvertissementColonnes`).

    Returns one row per commune and year: ``code_insee`` (5 characters), ``an`` (int), the official
    columns as numbers (k€, €/hab, %), the text columns, ``provenance`` (« réel » or « exemple »: by
    default « exemple » for files under a ``sample`` folder) and ``fichier`` (file name).
    Raises :class:`ErreurDonnees` (file, line, column, value) on any malformed content.
    """
    path = Path(path)
    brut, encodage = lire_table_texte(path)
    manquantes = [c for c in REQUISES_COMMUNES if c not in brut.columns]
    if manquantes:
        raise ErreurDonnees(f"colonne obligatoire absente (en-tête lu : {', '.join(list(brut.columns)[:8])}…)",
                            fichier=path, ligne=1, colonne=manquantes[0])
    inconnues = [c for c in brut.columns if c not in COLONNES_CONNUES_COMMUNES]
    refuser_fautes_entete(inconnues, brut.columns, COLONNES_CONNUES_COMMUNES, path)
    signaler_inconnues(inconnues, path)
    for col in ("dep", "icom"):
        _refuser_premiere(brut[col].str.len() != 3, f"« {col} » doit compter exactement 3 caractères (ex. '045', '234')",
                          path, col, brut)
    _refuser_premiere(~brut["dep"].str.fullmatch(r"\d{3}|02[AB]"),
                      "code département DGFiP attendu (3 caractères, ex. '045', '02A')", path, "dep", brut)
    _refuser_premiere(~brut["icom"].str.fullmatch(r"\d{3}"), "numéro de commune attendu sur 3 chiffres (ex. '234')",
                      path, "icom", brut)
    an = annees(brut, "an", path)
    texte = [c for c in COLONNES_TEXTE_COMMUNES if c in brut.columns and c != "an"]
    numeriques = [c for c in brut.columns if c not in COLONNES_TEXTE_COMMUNES and c not in inconnues]
    nombres = en_nombres(brut, numeriques, path)
    if "pop1" in nombres:
        _refuser_premiere(nombres["pop1"] < 0, "population négative", path, "pop1", brut)
        controler(nombres["pop1"], brut, "pop1", path, entier=True, maximum=POPULATION_MAX)
    out = pd.DataFrame(index=brut.index)
    out["code_insee"] = [code_insee_depuis_dgfip(d, i) for d, i in zip(brut["dep"], brut["icom"])]
    out["an"] = an
    for c in texte:
        out[c] = brut[c].replace("", pd.NA).astype("string")
    out = pd.concat([out, nombres, brut[inconnues]], axis=1)
    dup = out.duplicated(["code_insee", "an"], keep=False)
    if dup.any():
        lignes = list(out.index[dup.to_numpy()])
        premier = out.loc[lignes[0]]
        raise ErreurDonnees(
            f"commune-année en double (lignes {', '.join(map(str, lignes[:5]))}) : une seule ligne par commune et année",
            fichier=path, ligne=int(lignes[1]), colonne="icom",
            valeur=f"{premier['code_insee']} / {premier['an']}")
    if verifier:
        verifier_ratios(out, path)
    out["provenance"] = provenance or _provenance_par_defaut(path)
    out["fichier"] = path.name
    out.attrs["encodage"] = encodage
    out.attrs["colonnes_inconnues"] = inconnues
    return out.sort_values(["code_insee", "an"]).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# Groupements à fiscalité propre
ENTETE_GFP = (
    "mpoid;lbudg;exer;nbbaspic;pftot;pftothab;rpftot;iltot;iltothab;revtot;revtothab;aittot;aittothab;dgftot;"
    "dgftothab;cftot;cftothab;rcftot;perstot;perstothab;rperstot;acetot;acetothab;racetot;cfitot;cfitothab;rcfitot;"
    "suvftot;suvftothab;rsuvftot;rtot;rtothab;rrtot;ritot;ritothab;rritot;rdettot;rdettothab;rrdettot;subvitot;"
    "subvitothab;rsubvitot;fattot;fattothab;rfattot;eitot;eitothab;reitot;detot;detothab;rdetot;edettot;edettothab;"
    "redettot;caftot;caftothab;rcaftot;cafntot;cafntothab;rcafntot;entot;entothab;rentot;antot;antothab;rantot;bth;"
    "fbth;bthexod;bfb;fbfb;bfbexod;bfnb;fbfnb;bfnbexod;btafnb;fbtafnb;bcfe1;fbcfe1;bcfeexod;bcfe2;fbcfe2;bcfe3;"
    "fbcfe3;pth;fpth;tth;pfb;fpfb;tfb;pfnb;fpfnb;tfnb;ptafnb;fptafnb;tafnb;pcfe1;fpcfe1;tcfe1;pcfe2;fpcfe2;tcfe2;"
    "pcfe3;fpcfe3;tcfe3;cvaeg;fcvaeg;iferg;fiferg;tascomg;ftascomg;nbtotba;siren;encdbr;mencdbr;tencdbr;pfr;mpfr;"
    "tpfr;cfr;mcfr;tcfr;encdb;mencdb;tencdb"
).split(";")
COLONNES_TEXTE_GFP = ("lbudg", "exer", "siren")
REQUISES_GFP = ("exer", "lbudg", "siren")


def ratios_gfp(df: pd.DataFrame) -> pd.DataFrame:
    """Per-inhabitant values of a GFP file: ``XXXtothab = XXXtot × 1000 / mpoid`` (€/hab; DGFiP convention).

    The GFP ``rXXXtot`` columns are the share of the budgets annexes in the total (%), not ratios to
    revenue, and cannot be recomputed from the file: they are left alone.
    """
    out = pd.DataFrame(index=df.index)
    pop = df["mpoid"].astype("float64").where(df["mpoid"] > 0)
    for c in df.columns:
        if c.endswith("tot") and f"{c}hab" in ENTETE_GFP:
            out[f"{c}hab"] = df[c].astype("float64") * 1000.0 / pop
    return out


def read_comptes_gfp(path: str | Path, *, provenance: str | None = None, siren_defaut: str | None = None,
                     verifier: bool = True) -> pd.DataFrame:
    """Read a DGFiP « comptes individuels des groupements à fiscalité propre » file (docs/FORMATS.md §2).

    Budget principal and budgets annexes consolidated, amounts ``XXXtot`` in k€, ``XXXtothab`` in €/hab on
    ``mpoid``, ``rXXXtot`` share of the budgets annexes (%). ``revtot`` (fiscalité reversée) is negative:
    attributions de compensation and DSC paid to the member communes.

    Returns one row per ``siren`` and ``an`` (from ``exer``) with the numeric columns as numbers, plus
    ``provenance`` and ``fichier``. Old vintages have an empty ``siren``: pass ``siren_defaut`` to identify
    them explicitly, otherwise the row is refused.
    """
    path = Path(path)
    brut, encodage = lire_table_texte(path)
    manquantes = [c for c in REQUISES_GFP if c not in brut.columns]
    if manquantes:
        raise ErreurDonnees("colonne obligatoire absente", fichier=path, ligne=1, colonne=manquantes[0])
    inconnues = [c for c in brut.columns if c not in ENTETE_GFP]
    refuser_fautes_entete(inconnues, brut.columns, ENTETE_GFP, path)
    signaler_inconnues(inconnues, path)
    siren = brut["siren"].str.replace(r"\.0$", "", regex=True)
    if siren_defaut:
        siren = siren.where(siren != "", siren_defaut)
    _refuser_premiere(~siren.str.fullmatch(r"\d{9}"),
                      "SIREN attendu sur 9 chiffres (passer siren_defaut pour les millésimes sans SIREN)",
                      path, "siren", brut)
    an = annees(brut, "exer", path)
    numeriques = [c for c in brut.columns if c not in COLONNES_TEXTE_GFP and c not in inconnues]
    nombres = en_nombres(brut, numeriques, path)
    if "mpoid" in nombres:
        _refuser_premiere(nombres["mpoid"] < 0, "population négative", path, "mpoid", brut)
        controler(nombres["mpoid"], brut, "mpoid", path, maximum=POPULATION_MAX)
    out = pd.DataFrame(index=brut.index)
    out["siren"] = siren.astype("string")
    out["an"] = an
    out["lbudg"] = brut["lbudg"].astype("string")
    out = pd.concat([out, nombres, brut[inconnues]], axis=1)
    dup = out.duplicated(["siren", "an"], keep=False)
    if dup.any():
        lignes = list(out.index[dup.to_numpy()])
        raise ErreurDonnees(f"groupement-année en double (lignes {', '.join(map(str, lignes[:5]))})",
                            fichier=path, ligne=int(lignes[1]), colonne="exer", valeur=str(out.at[lignes[1], "an"]))
    if verifier and "mpoid" in out:
        calc = ratios_gfp(out)
        for col in calc.columns:
            if col in out:
                ecart = (out[col] - calc[col]).abs()
                mauvais = (ecart > TOLERANCE_PAR_HABITANT + 1e-3 * calc[col].abs()) & out[col].notna() & calc[col].notna()
                if mauvais.any():
                    ligne = mauvais.index[mauvais.to_numpy()][0]
                    raise ErreurDonnees(f"incohérent avec les montants : attendu ≈ {calc.at[ligne, col]:.2f} €/hab",
                                        fichier=path, ligne=int(ligne), colonne=col, valeur=out.at[ligne, col])
    out["provenance"] = provenance or _provenance_par_defaut(path)
    out["fichier"] = path.name
    out.attrs["encodage"] = encodage
    return out.sort_values(["siren", "an"]).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# Official « Analyse des équilibres financiers fondamentaux » sheets (real Orléans 2013–2014)
def read_fiche_aeff(path: str | Path) -> pd.DataFrame:
    """Read the DGFiP AEFF sheets saved as long CSV (``an,pop1,code,label,keur,eur_hab,strate_eur_hab,
    ratio_pct,strate_ratio_pct``) and return them in the wide layout of :func:`read_comptes_communes`:
    ``X`` = keur, ``fX`` = eur_hab, ``mX`` = strate_eur_hab, ``rX`` = ratio_pct, ``rmX`` = strate_ratio_pct,
    with ``provenance = "réel"``. The commune is Orléans (45234), budget principal.
    """
    path = Path(path)
    brut, _encodage = lire_table_texte(path, separateur=",")
    attendu = ["an", "pop1", "code", "label", "keur", "eur_hab", "strate_eur_hab", "ratio_pct", "strate_ratio_pct"]
    for c in attendu:
        if c not in brut.columns:
            raise ErreurDonnees("colonne obligatoire absente", fichier=path, ligne=1, colonne=c)
    _refuser_premiere(~brut["code"].isin(list(COLONNES_CONNUES_COMMUNES)) | brut["code"].isin(
        list(COLONNES_TEXTE_COMMUNES)), "code de rubrique DGFiP inconnu (colonnes des comptes individuels)", path,
        "code", brut)
    long = en_nombres(brut, attendu[4:] + ["pop1"], path)
    controler(long["pop1"], brut, "pop1", path, entier=True, positif=True, maximum=POPULATION_MAX)
    for c in ("pop1", "keur", "eur_hab", "strate_eur_hab"):
        manque = long[c].isna()
        _refuser_premiere(manque, "valeur obligatoire manquante", path, c, brut)
    long["an"] = annees(brut, "an", path)
    long["code"] = brut["code"]
    dup = long.duplicated(["an", "code"], keep=False)
    if dup.any():
        lignes_dup = list(long.index[dup.to_numpy()])
        premiere = long.loc[lignes_dup[0]]
        autres = [i for i in lignes_dup if (long.at[i, "an"], long.at[i, "code"]) == (premiere["an"], premiere["code"])]
        raise ErreurDonnees(f"rubrique en double pour l'année {int(premiere['an'])} (lignes "
                            f"{', '.join(map(str, autres))}) : une seule ligne par année et rubrique", fichier=path,
                            ligne=int(autres[1]), colonne="code", valeur=premiere["code"])
    for an, g in long.groupby("an", sort=True):
        autre = g["pop1"] != g["pop1"].iloc[0]
        if autre.any():
            ligne = int(autre.index[autre.to_numpy()][0])
            raise ErreurDonnees(f"population différente de celle de la ligne {int(g.index[0])} pour l'année {int(an)}",
                                fichier=path, ligne=ligne, colonne="pop1", valeur=brut.at[ligne, "pop1"])
    lignes = []
    for (an, pop1), g in long.groupby(["an", "pop1"], sort=True):
        row: dict[str, object] = {"code_insee": "45234", "an": int(an), "dep": "045", "icom": "234",
                                  "inom": "ORLEANS", "pop1": float(pop1),
                                  "nomsst1": strate_dgfip(pop1), "nomsst2": REGIME_FPU}
        for r in g.itertuples():
            row[r.code] = float(r.keur)
            row[f"f{r.code}"] = float(r.eur_hab)
            row[f"m{r.code}"] = float(r.strate_eur_hab)
            if not pd.isna(r.ratio_pct):
                row[f"r{r.code}"] = float(r.ratio_pct)
            if not pd.isna(r.strate_ratio_pct):
                row[f"rm{r.code}"] = float(r.strate_ratio_pct)
        lignes.append(row)
    out = pd.DataFrame(lignes)
    out["provenance"] = "réel"
    out["fichier"] = path.name
    for c in ("dep", "icom", "inom", "nomsst1", "nomsst2", "code_insee"):
        out[c] = out[c].astype("string")
    return out
