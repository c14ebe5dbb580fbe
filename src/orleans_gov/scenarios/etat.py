"""Reference-year state of the 23 entities (22 communes + the agglomeration, last), from the DGFiP accounts.

- commune: RRF = ``prod``; fiscalité = ``impo1`` (impôts locaux); DGF = ``dgf``; AC and DSC received from
  ``flux_agglo_communes``; autres recettes = prod − impo1 − dgf − AC − DSC; intérêts = ``fin``;
  DRF hors intérêts = prod − ``caf`` − fin (so that the starting épargne brute equals the DGFiP CAF; the gap with
  ``charge`` − fin is the non-real items of the DGFiP « charges »); personnel = ``perso``; autres charges = the rest;
  encours = ``dette``; remboursement = ``remb``; équipement = ``equip``; recettes d'investissement hors emprunt
  = subventions (share ``subr`` / ``equip`` of the reference year, unless the scenario sets it) + FCTVA
  (art. L.1615-6 CGCT, received d years after the spending: part éligible = ``fctva`` of R / (``equip`` of
  R − d × taux FCTVA of R − d), the equipment of R − 1 and R − 2 read from the same table, that of R when absent).
- agglomeration (DGFiP GFP file, budget principal + budgets annexes): RRF net of the fiscalité reversée
  (DGFiP convention: ``revtot`` is a negative receipt) = ``pftot``; fiscalité = ``iltot``; DGF = ``dgftot``
  split into dotation d'intercommunalité (modelled on the CIF, :mod:`.dotations`) and dotation de compensation
  (the rest); intérêts = ``cfitot``; DRF hors intérêts = pftot − ``caftot`` − cfitot; personnel = ``perstot``;
  encours = ``entot``; remboursement = ``edettot``; équipement = ``detot``; subventions ``subvitot`` / ``detot``;
  FCTVA ``fattot`` (same part éligible rule, d of the communautés d'agglomération).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO, nom_entite
from orleans_gov.scenarios.donnees import DonneesReference
from orleans_gov.scenarios.dotations import (CIF_MOYEN, PART_BASE, PART_DSC, PART_PEREQ, RAPPORT_PF, VALEUR_POINT, cif,
                                             dotation_intercommunalite)
from orleans_gov.scenarios.schema import Scenario
from orleans_gov.scenarios.schema.erreurs import erreur_scenario

E = len(ENTITES)
IDX = {e: i for i, e in enumerate(ENTITES)}
IA = IDX[SIREN_AGGLO]
EST_AGGLO = np.array([e == SIREN_AGGLO for e in ENTITES])

CHAMPS = ("pop", "rrf", "fisc", "dgf", "perso", "fin", "caf", "dette", "remb", "equip", "subv", "fctva")
COMPTES_COMMUNES = dict(zip(CHAMPS, ("pop1", "prod", "impo1", "dgf", "perso", "fin", "caf", "dette", "remb", "equip",
                                     "subr", "fctva")))
COMPTES_AGGLO = dict(zip(CHAMPS, ("mpoid", "pftot", "iltot", "dgftot", "perstot", "cfitot", "caftot", "entot",
                                  "edettot", "detot", "subvitot", "fattot")))
"""The DGFiP column read for each quantity of the reference year: communes (comptes individuels des communes) and
agglomeration (comptes des groupements à fiscalité propre)."""


@dataclass
class Base:
    """Reference-year state, one value per entity (arrays of length 23, agglomeration last)."""

    annee: int
    population: np.ndarray
    fiscalite: np.ndarray
    dgf: np.ndarray
    autres_recettes: np.ndarray
    ac: np.ndarray
    dsc: np.ndarray
    personnel: np.ndarray
    autres_charges: np.ndarray
    interets: np.ndarray
    dette: np.ndarray
    remboursement: np.ndarray
    equipement: np.ndarray
    taux_recettes_inv: np.ndarray
    caf: np.ndarray
    etp: np.ndarray
    bases_th: np.ndarray
    source_etp: str                 # "effectifs" (table of the collection) or "cout_moyen" (estimated)
    provenances: frozenset[str]
    taux_subventions: np.ndarray = None            # type: ignore[assignment]  # subventions / équipement
    fctva: np.ndarray = None                       # type: ignore[assignment]  # FCTVA received in R
    equipement_passe: np.ndarray = None            # type: ignore[assignment]  # (E, 2): équipement R − 2, R − 1
    rrf_passe: np.ndarray = None                   # type: ignore[assignment]  # (E,): RRF of R − 1 (CRFP base)
    part_principal_rrf: float = 1.0                # agglomeration: budget principal's share of the RRF (CRFP)
    budgets_annexes_absents: bool = True
    teom: float = float("nan")                     # agglomeration's TEOM in R (CIF numerator); NaN = not in data
    cif: float = float("nan")
    dotation_intercommunalite: float = float("nan")
    dotation_compensation: float = float("nan")

    @property
    def methode_etp(self) -> str:
        """How the FTE of the reference year were obtained (label of the vocabulary, with the year)."""
        return f"{vocabulaire.libelle('etp_' + self.source_etp)} ({self.annee})"


def _valeur(df: pd.DataFrame, col: str, fichier: str, entite: str, annee: int) -> float:
    if col not in df.columns:
        raise ErreurDonnees(f"colonne absente pour l'entité {entite} en {annee}", fichier=fichier, colonne=col)
    v = df[col].iloc[0]
    if pd.isna(v):
        raise ErreurDonnees(f"montant manquant pour l'entité {entite} ({nom_entite(entite)}) en {annee} : "
                            f"la projection ne peut pas partir d'une valeur inconnue", fichier=fichier, colonne=col)
    return float(v)


def _comptes(n: dict[str, np.ndarray], i: int, ligne: pd.DataFrame, colonnes: dict[str, str], fichier: str,
             entite: str, annee: int) -> dict[str, float]:
    """Fill entity ``i`` from its DGFiP line: population, taxes, DGF, personnel, other charges (DRF hors intérêts
    = RRF − CAF − intérêts, minus personnel), interest, debt, repayment, equipment and its share funded by grants
    and FCTVA. Returns the values read (by quantity)."""
    g = {k: _valeur(ligne, c, fichier, entite, annee) for k, c in colonnes.items()}
    n["pop"][i], n["fisc"][i], n["dgf"][i] = g["pop"], g["fisc"], g["dgf"]
    drf_hi = g["rrf"] - g["caf"] - g["fin"]
    n["perso"][i] = g["perso"]
    n["autres_ch"][i] = drf_hi - g["perso"]
    n["fin"][i], n["dette"][i], n["remb"][i], n["equip"][i] = g["fin"], g["dette"], g["remb"], g["equip"]
    n["caf"][i] = g["caf"]
    n["trecinv"][i] = (g["subv"] + g["fctva"]) / g["equip"] if g["equip"] > 0 else 0.0
    n["tsubv"][i] = g["subv"] / g["equip"] if g["equip"] > 0 else 0.0
    n["fctva"][i] = g["fctva"]
    return g


def _par_entite_annee(donnees: DonneesReference, table: str, cle: str, col: str) -> dict[tuple[str, int], list]:
    """Values of column ``col`` of a processed table by (entity as text, year), read once per data set (kept in
    ``donnees._cache``: the same lookups are made for every scenario and every entity)."""
    df = getattr(donnees, table)
    k = ("par_entite_annee", table, id(df), cle, col)     # a table replaced by another is read again
    if k not in donnees._cache:
        out: dict[tuple[str, int], list] = {}
        if col in df.columns:
            for e, a, v in zip(df[cle].astype(str), df["an"], df[col]):
                out.setdefault((e, a), []).append(v)
        donnees._cache[k] = (df, out)          # the frame is kept so that its id is not reused
    return donnees._cache[k][1]


def _equipement_passe(donnees: DonneesReference, table: str, cle: str, valeur: str, col: str, R: int,
                      defaut: float) -> list[float]:
    """Equipment (or another column) of R − 2 and R − 1 of one entity (the FCTVA received in the first projected
    years is computed on it, art. L.1615-6 II CGCT; the CRFP on the RRF of R − 1); the reference year's value
    when the year is absent or unknown (or given on several lines)."""
    valeurs = _par_entite_annee(donnees, table, cle, col)
    out = []
    for a in (R - 2, R - 1):
        v = valeurs.get((valeur, a), [])
        out.append(float(v[0]) if len(v) == 1 and pd.notna(v[0]) else defaut)
    return out


def _communes(donnees: DonneesReference, R: int, n: dict[str, np.ndarray], prov: set[str]) -> None:
    src = donnees.sources
    fc, fl = donnees.finances_communes, donnees.flux
    fc = fc[fc["an"] == R]
    fc = fc.assign(code_insee=fc["code_insee"].astype(str))
    fl = fl[fl["an"] == R]
    fl = fl.assign(code_insee=fl["code_insee"].astype(str))
    par_code = {k: g for k, g in fc.groupby("code_insee")}
    flux_code = {k: g for k, g in fl.groupby("code_insee")}
    vide_c, vide_f = fc.iloc[0:0], fl.iloc[0:0]
    f = src.get("finances_communes", "finances_communes")
    ff = src.get("flux_agglo_communes", "flux_agglo_communes")
    for code in CODES_INSEE:
        i = IDX[code]
        ligne = par_code.get(code, vide_c)
        if len(ligne) != 1:
            raise ErreurDonnees(f"{len(ligne)} ligne(s) pour la commune {code} ({nom_entite(code)}) en {R} "
                                f"(une attendue)", fichier=f, colonne="code_insee", valeur=code)
        g = _comptes(n, i, ligne, COMPTES_COMMUNES, f, code, R)
        prov.update(ligne["provenance"].astype(str))
        lf = flux_code.get(code, vide_f)
        if len(lf) != 1:
            raise ErreurDonnees(f"{len(lf)} ligne(s) de flux pour la commune {code} en {R} (une attendue)",
                                fichier=ff, colonne="code_insee", valeur=code)
        prov.update(lf["provenance"].astype(str))
        n["ac"][i] = _valeur(lf, "attribution_compensation", ff, code, R)
        n["dsc"][i] = _valeur(lf, "dsc", ff, code, R)
        n["autres"][i] = g["rrf"] - g["fisc"] - g["dgf"] - n["ac"][i] - n["dsc"][i]
        n["bth"][i] = float(ligne["bth"].iloc[0]) if "bth" in ligne.columns else np.nan


def _agglomeration(donnees: DonneesReference, R: int, n: dict[str, np.ndarray], prov: set[str]) -> None:
    fa = donnees.finances_agglo
    f = donnees.sources.get("finances_agglo", "finances_agglo")
    ligne = fa[(fa["siren"].astype(str) == SIREN_AGGLO) & (fa["an"] == R)]
    if len(ligne) != 1:
        raise ErreurDonnees(f"{len(ligne)} ligne(s) pour l'agglomération en {R} (une attendue)", fichier=f,
                            colonne="siren", valeur=SIREN_AGGLO)
    g = _comptes(n, IA, ligne, COMPTES_AGGLO, f, SIREN_AGGLO, R)
    prov.update(ligne["provenance"].astype(str))
    verse = n["ac"][:IA].sum() + n["dsc"][:IA].sum()
    n["ac"][IA] = -n["ac"][:IA].sum()
    n["dsc"][IA] = -n["dsc"][:IA].sum()
    # pftot is net of the fiscalité reversée: gross it up with the flows actually paid to the communes.
    n["autres"][IA] = g["rrf"] - g["fisc"] - g["dgf"] + verse


def _etp(donnees: DonneesReference, R: int, personnel: np.ndarray, cout_moyen: float, prov: set[str]
         ) -> tuple[np.ndarray, str]:
    """Staff: the organisations table when it covers every entity, else personnel / cost per FTE."""
    ef = donnees.effectifs
    if ef is not None and {"entite", "an", "etp"} <= set(ef.columns):
        sel = ef[ef["an"] == R].groupby(ef["entite"].astype(str))["etp"].sum(min_count=1)
        if all(e in sel.index and pd.notna(sel[e]) for e in ENTITES):
            if "provenance" in ef.columns:
                prov.update(ef.loc[ef["an"] == R, "provenance"].astype(str))
            return np.array([float(sel[e]) for e in ENTITES]), "effectifs"
    return personnel / cout_moyen, "cout_moyen"


def _part_principal(donnees: DonneesReference, R: int, rrf_consolidees: float) -> tuple[float, bool]:
    """Share of the agglomeration's consolidated RRF (DGFiP GFP ``pftot``: budget principal + budgets annexes, net
    of the subvention d'équilibre paid to them) that belongs to the budget principal — the base of the CRFP
    (art. L.5211-28 CGCT: RRF « de leur budget principal »): (pftot − Σ recettes des annexes + Σ subventions
    d'équilibre) / pftot, from the ``budgets_annexes`` table of year R. Table absent → 1 (the CRFP is then computed
    on the consolidated RRF: overstated by the annexes' share, stated in the results)."""
    ba = donnees.budgets_annexes
    if ba is None or not len(ba):
        return 1.0, True
    a = ba[(ba["entite"].astype(str) == SIREN_AGGLO) & (ba["an"] == R)]
    if not len(a):
        return 1.0, True
    principal = rrf_consolidees - float(a["recettes_fonctionnement"].sum()) + float(
        a["subvention_equilibre"].fillna(0).sum())
    return principal / rrf_consolidees, False


def etat_reference(donnees: DonneesReference, scenario: Scenario) -> Base:
    """Reference-year state of the 23 entities (see the module docstring for the definitions); the CIF and the
    dotation d'intercommunalité of the reference year use the legal parameters in force that year."""
    R = scenario.annee_reference
    h = scenario.hypotheses
    n = {k: np.full(E, np.nan) for k in ("pop", "fisc", "dgf", "autres", "ac", "dsc", "perso", "autres_ch", "fin",
                                          "dette", "remb", "equip", "trecinv", "caf", "bth", "tsubv", "fctva")}
    prov: set[str] = set()
    _communes(donnees, R, n, prov)
    _agglomeration(donnees, R, n, prov)
    for niv, sel in (("communes", ~EST_AGGLO), ("agglomeration", EST_AGGLO)):
        if h.investissement.recettes_pct[niv] is not None:
            n["tsubv"][sel] = h.investissement.recettes_pct[niv]
    etp, source_etp = _etp(donnees, R, n["perso"], h.cout_moyen_etp_keur, prov)
    base = Base(annee=R, population=n["pop"], fiscalite=n["fisc"], dgf=n["dgf"], autres_recettes=n["autres"],
                ac=n["ac"], dsc=n["dsc"], personnel=n["perso"], autres_charges=n["autres_ch"], interets=n["fin"],
                dette=n["dette"], remboursement=n["remb"], equipement=n["equip"], taux_recettes_inv=n["trecinv"],
                caf=n["caf"], etp=etp, bases_th=n["bth"], source_etp=source_etp, provenances=frozenset(prov),
                taux_subventions=n["tsubv"], fctva=n["fctva"])
    base.rrf_passe = np.array([
        _equipement_passe(donnees, "finances_agglo", "siren", e, "pftot", R, np.nan)[1] if i == IA else
        _equipement_passe(donnees, "finances_communes", "code_insee", e, "prod", R, np.nan)[1]
        for i, e in enumerate(ENTITES)])
    rrf_r = base.fiscalite + base.dgf + base.autres_recettes + base.ac + base.dsc
    base.rrf_passe = np.where(np.isnan(base.rrf_passe), rrf_r, base.rrf_passe)
    base.part_principal_rrf, base.budgets_annexes_absents = _part_principal(donnees, R, rrf_r[IA])
    base.equipement_passe = np.array([
        _equipement_passe(donnees, "finances_agglo", "siren", e, "detot", R, n["equip"][i]) if i == IA else
        _equipement_passe(donnees, "finances_communes", "code_insee", e, "equip", R, n["equip"][i])
        for i, e in enumerate(ENTITES)])
    regles = scenario.parametres_legaux()
    fa = donnees.finances_agglo
    if "teom" in fa.columns:
        t = fa.loc[(fa["siren"].astype(str) == SIREN_AGGLO) & (fa["an"] == R), "teom"]
        base.teom = float(t.iloc[0]) if len(t) == 1 and pd.notna(t.iloc[0]) else float("nan")
    base.cif = float(cif(base.fiscalite[IA], base.fiscalite[:IA].sum(), -base.ac[IA], -base.dsc[IA],
                         regles(PART_DSC, R), 0.0 if np.isnan(base.teom) else base.teom))
    base.dotation_intercommunalite = dotation_intercommunalite(
        base.population[IA], regles(VALEUR_POINT, R), base.cif, regles(CIF_MOYEN, R), regles(PART_BASE, R),
        regles(PART_PEREQ, R), regles(RAPPORT_PF, R))
    base.dotation_compensation = base.dgf[IA] - base.dotation_intercommunalite
    if base.dotation_compensation < 0:
        raise erreur_scenario([(f"parametres.{VALEUR_POINT}", (
            f"la dotation d'intercommunalité modélisée en {R} ({base.dotation_intercommunalite:.0f} k€) dépasse la "
            f"DGF totale de l'agglomération ({base.dgf[IA]:.0f} k€)"))], scenario.fichier)
    return base
