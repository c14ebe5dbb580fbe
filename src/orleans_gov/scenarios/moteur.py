"""Multi-year projection engine of the bloc communal (22 communes + the agglomeration), 2014–2020.

Pure and vectorised: the core (:func:`_noyau`) works on arrays of shape ``(tirages, entités, années)`` so the same
code gives the deterministic projection (one draw), the tornado (a few perturbed draws) and the Monte-Carlo bands
(10 000 draws). Amounts in k€. Method (documented in French in ``config/scenarios/README.md``):

Starting point (reference year R, DGFiP comptes individuels):
- commune: RRF = ``prod``; fiscalité = ``impo1`` (impôts locaux); DGF = ``dgf``; AC and DSC received from
  ``flux_agglo_communes``; autres recettes = prod − impo1 − dgf − AC − DSC; intérêts = ``fin``;
  DRF hors intérêts = prod − ``caf`` − fin (so that the starting épargne brute equals the DGFiP CAF; the gap with
  ``charge`` − fin is the non-real items of the DGFiP « charges »); personnel = ``perso``; autres charges = the rest;
  encours = ``dette``; remboursement = ``remb``; équipement = ``equip``; recettes d'investissement hors emprunt
  = (``subr`` + ``fctva``) / ``equip`` of the reference year (share, unless the scenario sets it).
- agglomeration (DGFiP GFP file, budget principal + budgets annexes): RRF net of the fiscalité reversée
  (DGFiP convention: ``revtot`` is a negative receipt) = ``pftot``; fiscalité = ``iltot``; DGF = ``dgftot``
  split into dotation d'intercommunalité (modelled on the CIF) and dotation de compensation (the rest);
  intérêts = ``cfitot``; DRF hors intérêts = pftot − ``caftot`` − cfitot; personnel = ``perstot``;
  encours = ``entot``; remboursement = ``edettot``; équipement = ``detot``; recettes d'investissement
  = (``subvitot`` + ``fattot``) / ``detot``.

Each year t: family(t) = family(R) × Π(1 + growth of the family) (+ the effects of the actions); AC and DSC follow
the scenario (AC not indexed); épargne de gestion = RRF − DRF hors intérêts; intérêts = taux apparent de la dette
existante (fin / dette of year R) × encours existant au 1er janvier + taux des emprunts nouveaux × encours nouveau
au 1er janvier; épargne brute = épargne de gestion − intérêts; remboursement = min(encours existant, remboursement
de l'année R) (profil d'amortissement constant de la dette existante) + Σ emprunts nouveaux / durée (amortissement
linéaire à partir de l'année suivant l'emprunt); épargne nette = épargne brute − remboursement;
emprunt = max(0, équipement − épargne nette − recettes d'investissement − prélèvement sur fonds de roulement)
(the model balances on borrowing; a surplus increases the fonds de roulement); encours(t) = encours(t−1) + emprunt
− remboursement; capacité de désendettement = encours / épargne brute (NaN when épargne brute ≤ 0).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees, ErreurScenario
from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO, nom_entite
from orleans_gov.scenarios import clect
from orleans_gov.scenarios.schema import FAMILLES, PacteFinancier, Scenario, ServiceCommun, Transfert

E = len(ENTITES)
IDX = {e: i for i, e in enumerate(ENTITES)}
IA = IDX[SIREN_AGGLO]
EST_AGGLO = np.array([e == SIREN_AGGLO for e in ENTITES])
BLOC = "bloc"

COLONNES_COMMUNES = ("pop1", "prod", "impo1", "dgf", "perso", "fin", "caf", "dette", "remb", "equip", "subr",
                     "fctva")
COLONNES_AGGLO = ("mpoid", "pftot", "iltot", "dgftot", "perstot", "cfitot", "caftot", "entot", "edettot", "detot",
                  "subvitot", "fattot")

INDICATEURS: dict[str, str] = {
    "recettes_reelles_fonctionnement": "Recettes réelles de fonctionnement (k€)",
    "fiscalite": "Impôts locaux (k€)",
    "dgf": "DGF (k€)",
    "dotation_intercommunalite": "Dotation d'intercommunalité (k€)",
    "attribution_compensation": "Attribution de compensation (k€ ; négatif = versée)",
    "dsc": "Dotation de solidarité communautaire (k€ ; négatif = versée)",
    "autres_recettes": "Autres recettes de fonctionnement (k€)",
    "personnel": "Charges de personnel (k€)",
    "autres_charges": "Autres charges de fonctionnement (k€)",
    "depenses_reelles_fonctionnement_hors_interets": "DRF hors intérêts (k€)",
    "interets": "Intérêts de la dette (k€)",
    "depenses_reelles_fonctionnement": "DRF intérêts compris (k€)",
    "epargne_gestion": "Épargne de gestion (k€)",
    "epargne_brute": "Épargne brute (k€)",
    "taux_epargne_brute": "Taux d'épargne brute (part des RRF)",
    "remboursement_dette": "Remboursement en capital (k€)",
    "epargne_nette": "Épargne nette (k€)",
    "depenses_equipement": "Dépenses d'équipement (k€)",
    "recettes_investissement": "Recettes d'investissement hors emprunt (k€)",
    "prelevement_fonds_roulement": "Prélèvement sur fonds de roulement (k€)",
    "emprunt": "Emprunt d'équilibre (k€)",
    "variation_fonds_roulement": "Excédent affecté au fonds de roulement (k€)",
    "encours_dette": "Encours de dette au 31/12 (k€)",
    "capacite_desendettement": "Capacité de désendettement (années)",
    "cif": "Coefficient d'intégration fiscale",
    "etp": "Effectifs (ETP)",
}
ADDITIFS = [k for k in INDICATEURS if k not in ("taux_epargne_brute", "capacite_desendettement", "cif")]


# ---------------------------------------------------------------------------------------------------------
# reference data
# ---------------------------------------------------------------------------------------------------------


@dataclass
class DonneesReference:
    """The processed tables the engine needs (see docs/TABLES.md)."""

    finances_communes: pd.DataFrame
    finances_agglo: pd.DataFrame
    flux: pd.DataFrame
    depenses_fonction: pd.DataFrame
    effectifs: pd.DataFrame | None = None
    sources: dict[str, str] = field(default_factory=dict)   # table -> file (for error messages)
    fonctions_support: pd.DataFrame | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def fonctions(self) -> dict[tuple[str, str, str], pd.Series]:
        """``depenses_fonction`` as (entité, fonction, section) -> amount by year (sum; computed once)."""
        if "fonctions" not in self._cache:
            df = self.depenses_fonction
            g = df.assign(entite=df["entite"].astype(str), fonction=df["fonction"].astype(str),
                          section=df["section"].astype(str)).groupby(["entite", "fonction", "section", "an"])[
                "montant"].sum(min_count=1)
            self._cache["fonctions"] = {k: grp.droplevel([0, 1, 2]) for k, grp in g.groupby(level=[0, 1, 2])}
        return self._cache["fonctions"]


def charger_donnees(dossier: str | Path | None = None) -> DonneesReference:
    """Load the processed tables of a data folder (argument > ``$ORLEANS_GOV_DATA`` > repo ``data/``)."""
    cat = Catalogue.depuis(dossier)
    frames = {}
    for nom in ("finances_communes", "finances_agglo", "flux_agglo_communes", "depenses_fonction"):
        p = cat.table(nom)
        if not p.exists():
            raise ErreurDonnees("table traitée absente : lancer « orleans-gov donnees » (make data)", fichier=p)
        frames[nom] = pd.read_parquet(p)
    facultatives = {n: (pd.read_parquet(cat.table(n)) if cat.table(n).exists() else None)
                    for n in ("effectifs", "fonctions_support")}
    return DonneesReference(frames["finances_communes"], frames["finances_agglo"], frames["flux_agglo_communes"],
                            frames["depenses_fonction"], facultatives["effectifs"],
                            sources={n: str(cat.table(n)) for n in ("finances_communes", "finances_agglo",
                                                                    "flux_agglo_communes", "depenses_fonction",
                                                                    "effectifs", "fonctions_support")},
                            fonctions_support=facultatives["fonctions_support"])


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
    methode_etp: str
    provenances: frozenset[str]
    cif: float = float("nan")
    dotation_intercommunalite: float = float("nan")
    dotation_compensation: float = float("nan")


def _valeur(df: pd.DataFrame, col: str, fichier: str, entite: str, annee: int) -> float:
    if col not in df.columns:
        raise ErreurDonnees(f"colonne absente pour l'entité {entite} en {annee}", fichier=fichier, colonne=col)
    v = df[col].iloc[0]
    if pd.isna(v):
        raise ErreurDonnees(f"montant manquant pour l'entité {entite} ({nom_entite(entite)}) en {annee} : "
                            f"la projection ne peut pas partir d'une valeur inconnue", fichier=fichier, colonne=col)
    return float(v)


def etat_reference(donnees: DonneesReference, scenario: Scenario) -> Base:
    """Reference-year state of the 23 entities (see the module docstring for the definitions)."""
    R = scenario.annee_reference
    h = scenario.hypotheses
    src = donnees.sources
    fc, fa, fl = donnees.finances_communes, donnees.finances_agglo, donnees.flux
    fc = fc[fc["an"] == R]
    fc = fc.assign(code_insee=fc["code_insee"].astype(str))
    fl = fl[fl["an"] == R]
    fl = fl.assign(code_insee=fl["code_insee"].astype(str))
    par_code = {k: g for k, g in fc.groupby("code_insee")}
    flux_code = {k: g for k, g in fl.groupby("code_insee")}
    vide_c, vide_f = fc.iloc[0:0], fl.iloc[0:0]
    n = {k: np.full(E, np.nan) for k in ("pop", "fisc", "dgf", "autres", "ac", "dsc", "perso", "autres_ch", "fin",
                                          "dette", "remb", "equip", "trecinv", "caf", "bth")}
    prov: set[str] = set()
    for code in CODES_INSEE:
        i = IDX[code]
        f = src.get("finances_communes", "finances_communes")
        ligne = par_code.get(code, vide_c)
        if len(ligne) != 1:
            raise ErreurDonnees(f"{len(ligne)} ligne(s) pour la commune {code} ({nom_entite(code)}) en {R} "
                                f"(une attendue)", fichier=f, colonne="code_insee", valeur=code)
        v = {c: _valeur(ligne, c, f, code, R) for c in COLONNES_COMMUNES}
        prov.update(ligne["provenance"].astype(str))
        lf = flux_code.get(code, vide_f)
        ff = src.get("flux_agglo_communes", "flux_agglo_communes")
        if len(lf) != 1:
            raise ErreurDonnees(f"{len(lf)} ligne(s) de flux pour la commune {code} en {R} (une attendue)",
                                fichier=ff, colonne="code_insee", valeur=code)
        prov.update(lf["provenance"].astype(str))
        n["ac"][i] = _valeur(lf, "attribution_compensation", ff, code, R)
        n["dsc"][i] = _valeur(lf, "dsc", ff, code, R)
        n["pop"][i] = v["pop1"]
        n["fisc"][i] = v["impo1"]
        n["dgf"][i] = v["dgf"]
        n["autres"][i] = v["prod"] - v["impo1"] - v["dgf"] - n["ac"][i] - n["dsc"][i]
        drf_hi = v["prod"] - v["caf"] - v["fin"]
        n["perso"][i] = v["perso"]
        n["autres_ch"][i] = drf_hi - v["perso"]
        n["fin"][i], n["dette"][i], n["remb"][i], n["equip"][i] = v["fin"], v["dette"], v["remb"], v["equip"]
        n["caf"][i] = v["caf"]
        n["trecinv"][i] = (v["subr"] + v["fctva"]) / v["equip"] if v["equip"] > 0 else 0.0
        n["bth"][i] = float(ligne["bth"].iloc[0]) if "bth" in ligne.columns else np.nan
    f = src.get("finances_agglo", "finances_agglo")
    ligne = fa[(fa["siren"].astype(str) == SIREN_AGGLO) & (fa["an"] == R)]
    if len(ligne) != 1:
        raise ErreurDonnees(f"{len(ligne)} ligne(s) pour l'agglomération en {R} (une attendue)", fichier=f,
                            colonne="siren", valeur=SIREN_AGGLO)
    prov.update(ligne["provenance"].astype(str))
    v = {c: _valeur(ligne, c, f, SIREN_AGGLO, R) for c in COLONNES_AGGLO}
    verse = n["ac"][:IA].sum() + n["dsc"][:IA].sum()
    n["pop"][IA] = v["mpoid"]
    n["fisc"][IA] = v["iltot"]
    n["dgf"][IA] = v["dgftot"]
    n["ac"][IA] = -n["ac"][:IA].sum()
    n["dsc"][IA] = -n["dsc"][:IA].sum()
    # pftot is net of the fiscalité reversée: gross it up with the flows actually paid to the communes.
    n["autres"][IA] = v["pftot"] - v["iltot"] - v["dgftot"] + verse
    drf_hi = v["pftot"] - v["caftot"] - v["cfitot"]
    n["perso"][IA] = v["perstot"]
    n["autres_ch"][IA] = drf_hi - v["perstot"]
    n["fin"][IA], n["dette"][IA], n["remb"][IA], n["equip"][IA] = v["cfitot"], v["entot"], v["edettot"], v["detot"]
    n["caf"][IA] = v["caftot"]
    n["trecinv"][IA] = (v["subvitot"] + v["fattot"]) / v["detot"] if v["detot"] > 0 else 0.0
    for niv, sel in (("communes", ~EST_AGGLO), ("agglomeration", EST_AGGLO)):
        if h.investissement.recettes_pct[niv] is not None:
            n["trecinv"][sel] = h.investissement.recettes_pct[niv]

    # staff: the organisations table when present, else personnel / cost per FTE (stated in the results)
    etp = n["perso"] / h.cout_moyen_etp_keur
    methode = (f"ETP estimés = charges de personnel / coût moyen d'un ETP ({h.cout_moyen_etp_keur:g} k€, "
               f"hypothèse du scénario) : table « effectifs » absente")
    ef = donnees.effectifs
    if ef is not None and {"entite", "an", "etp"} <= set(ef.columns):
        sel = ef[ef["an"] == R].groupby(ef["entite"].astype(str))["etp"].sum(min_count=1)
        if all(e in sel.index and pd.notna(sel[e]) for e in ENTITES):
            etp = np.array([float(sel[e]) for e in ENTITES])
            methode = f"ETP de la table « effectifs » ({R})"
            if "provenance" in ef.columns:
                prov.update(ef.loc[ef["an"] == R, "provenance"].astype(str))
    base = Base(annee=R, population=n["pop"], fiscalite=n["fisc"], dgf=n["dgf"], autres_recettes=n["autres"],
                ac=n["ac"], dsc=n["dsc"], personnel=n["perso"], autres_charges=n["autres_ch"], interets=n["fin"],
                dette=n["dette"], remboursement=n["remb"], equipement=n["equip"], taux_recettes_inv=n["trecinv"],
                caf=n["caf"], etp=etp, bases_th=n["bth"], methode_etp=methode, provenances=frozenset(prov))
    # CIF and DGF split of the reference year
    di = h.dotation_intercommunalite
    base.cif = float(cif(base.fiscalite[IA], base.fiscalite[:IA].sum(), -base.ac[IA], -base.dsc[IA],
                         di.part_dsc_cif))
    base.dotation_intercommunalite = dotation_intercommunalite(base.population[IA], di.valeur_point_eur_hab,
                                                               base.cif, di.cif_moyen_categorie)
    base.dotation_compensation = base.dgf[IA] - base.dotation_intercommunalite
    if base.dotation_compensation < 0:
        raise ErreurScenario(f"clé « hypotheses.dotation_intercommunalite.valeur_point_eur_hab » : la dotation "
                             f"d'intercommunalité modélisée en {R} ({base.dotation_intercommunalite:.0f} k€) dépasse "
                             f"la DGF totale de l'agglomération ({base.dgf[IA]:.0f} k€)", fichier=scenario.fichier)
    return base


def cif(fiscalite_epci, fiscalite_communes, ac_versees, dsc_versee, part_dsc: float = 0.5):
    """Coefficient d'intégration fiscale (art. L.5211-30 CGCT).

    CIF = (recettes fiscales de l'EPCI − dépenses de transfert) / (recettes fiscales de l'EPCI + des communes
    membres). Version implemented: art. L.5211-30 IV as written by the loi de finances pour 2005 (in force
    2005–2018, i.e. over the 2014–2020 mandate's dotations up to 2018): the dépenses de transfert of a communauté
    d'agglomération are the attributions de compensation « et la moitié de la dotation de solidarité
    communautaire » (``part_dsc`` = 0.5, set in the scenario). The 2019 reform (art. 250 loi n° 2018-1317) changed
    the treatment of the DSC: set ``part_dsc`` to the rule being simulated. Tax receipts: impôts locaux
    (DGFiP ``iltot`` for the EPCI, ``impo1`` for the communes) — a simplification of the list of taxes of the
    article (TEOM, redevances… are not separated in the accounts used). Vectorised.
    """
    return (fiscalite_epci - ac_versees - part_dsc * dsc_versee) / (fiscalite_epci + fiscalite_communes)


def dotation_intercommunalite(population, valeur_point_eur_hab, cif_epci, cif_moyen_categorie):
    """Simplified dotation d'intercommunalité (k€) = population × valeur de point (€/hab) × CIF / CIF moyen de la
    catégorie ÷ 1000.

    Simplification of art. L.5211-30 CGCT: the per-inhabitant dotation of a communauté d'agglomération rises in
    proportion to its CIF relative to the category's average CIF (the potentiel fiscal term, the guarantees and the
    caps are left out). The value of the point and the category average are explicit scenario parameters.
    """
    return population * valeur_point_eur_hab * cif_epci / cif_moyen_categorie / 1000.0


# ---------------------------------------------------------------------------------------------------------
# effects of the actions
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Effets:
    """Effects of the actions on the projection, arrays of shape (23, T) with T = years R … fin (index 0 = R).

    ``dc_*`` are reference-year amounts that evolve with the communes' growth index of the family, ``da_*`` with
    the agglomeration's; ``abs_*``, ``ac``, ``dsc`` are amounts in k€ of the year (not indexed).
    """

    ac: np.ndarray
    dsc: np.ndarray
    m_fisc: np.ndarray
    dc: dict[str, np.ndarray]
    da: dict[str, np.ndarray]
    abs_recettes: np.ndarray
    abs_charges: np.ndarray
    equipement: np.ndarray           # deterministic equipment programme (k€) incl. transfers
    etp: np.ndarray
    prelevement: np.ndarray
    details: dict[str, pd.DataFrame] = field(default_factory=dict)


def _indice(taux: Mapping[int, float], annees: list[int]) -> np.ndarray:
    """Growth index over [R, years…] (1 at R)."""
    return np.cumprod([1.0] + [1.0 + taux[a] for a in annees])


def _fonction(donnees: DonneesReference, entite: str, fonction: str, section: str, annees: list[int]
              ) -> pd.Series:
    serie = donnees.fonctions().get((entite, fonction, section))
    s = (serie if serie is not None else pd.Series(dtype="float64")).reindex(annees)
    if s.isna().any():
        manque = [int(a) for a in s.index[s.isna()]]
        raise ErreurDonnees(f"dépenses de la fonction {fonction} ({section}) manquantes pour {entite} "
                            f"({nom_entite(entite)}) en {manque} : évaluation impossible",
                            fichier=donnees.sources.get("depenses_fonction", "depenses_fonction"),
                            colonne="montant")
    return s


def _fonctions_support(donnees: DonneesReference, entites: tuple[str, ...], fonctions: tuple[str, ...], annee: int
                       ) -> tuple[dict[str, float], dict[str, float]]:
    """Personnel cost (k€) and FTE of the given support functions per entity (collection table
    ``fonctions_support``, reference year); every entity must have every function's line."""
    fs = donnees.fonctions_support
    fichier = donnees.sources.get("fonctions_support", "fonctions_support")
    if fs is None:
        raise ErreurDonnees("table « fonctions_support » (classeurs de collecte) absente : importer les classeurs "
                            "ou utiliser « part_fonction_0 » dans le scénario", fichier=fichier)
    sel = fs[(fs["an"] == annee) & fs["fonction_support"].isin(fonctions)]
    sel = sel.assign(entite=sel["entite"].astype(str))
    couts, etps = {}, {}
    for e in entites:
        d = sel[sel["entite"] == e]
        manquantes = [f for f in fonctions if f not in set(d["fonction_support"])]
        if manquantes or d[["etp", "cout"]].isna().any().any():
            raise ErreurDonnees(f"fonctions support {manquantes or list(fonctions)} manquantes ou incomplètes pour "
                                f"{e} ({nom_entite(e)}) en {annee}", fichier=fichier, colonne="fonction_support")
        couts[e] = float(d["cout"].sum())
        etps[e] = float(d["etp"].sum())
    return couts, etps


def effets_actions(scenario: Scenario, donnees: DonneesReference, base: Base) -> Effets:
    """Turn the scenario's actions into arrays of effects (see :class:`Effets`)."""
    R = scenario.annee_reference
    annees = scenario.annees
    toutes = [R] + annees
    T = len(toutes)
    h = scenario.hypotheses
    ind = {niv: {f: _indice(h.croissance[niv][f], annees) for f in FAMILLES} for niv in ("communes", "agglomeration")}
    inv_ind = {niv: (1 + h.investissement.croissance[niv]) ** np.arange(T) for niv in ("communes", "agglomeration")}

    ac = np.repeat(base.ac[:, None], T, axis=1)
    dsc = np.repeat(base.dsc[:, None], T, axis=1) * (1 + h.croissance_dsc) ** np.arange(T)[None, :]
    m_fisc = np.ones((E, T))
    dc = {f: np.zeros((E, T)) for f in FAMILLES + ("equipement",)}
    da = {f: np.zeros((E, T)) for f in FAMILLES + ("equipement",)}
    abs_rec = np.zeros((E, T))
    abs_ch = np.zeros((E, T))
    etp = np.repeat(base.etp[:, None], T, axis=1)
    prelev = np.zeros((E, T))
    for e, par_an in h.prelevement_fonds_roulement.items():
        for a, m in par_an.items():
            prelev[IDX[e], toutes.index(a)] = m
    # equipment programme of the baseline: reference-year amount × growth, or the explicit programme
    equip = np.empty((E, T))
    equip[~EST_AGGLO] = base.equipement[~EST_AGGLO, None] * inv_ind["communes"][None, :]
    equip[EST_AGGLO] = base.equipement[EST_AGGLO, None] * inv_ind["agglomeration"][None, :]
    for e, par_an in h.investissement.programme.items():
        for a, m in par_an.items():
            equip[IDX[e], toutes.index(a)] = m
    details: dict[str, pd.DataFrame] = {}
    t_idx = np.arange(T)
    annees_arr = np.array(toutes)

    for k, action in enumerate(scenario.actions):
        facteur = np.where(annees_arr > getattr(action, "annee", 10**6), 1.0, 0.0)
        if not isinstance(action, PacteFinancier):
            facteur = np.where(annees_arr == action.annee, action.prorata, facteur)

        if isinstance(action, Transfert):
            lignes = []
            fin_fenetre = min(action.annee - 1, R)
            fen = list(range(fin_fenetre - action.annees_moyenne + 1, fin_fenetre + 1))
            fen_eq = list(range(fin_fenetre - action.annees_moyenne_equipement + 1, fin_fenetre + 1))
            it = toutes.index(action.annee)
            for c in action.communes:
                i = IDX[c]
                part = action.part_fonction[c]
                couts = _fonction(donnees, c, action.fonction_m14, "fonctionnement", fen) * part
                cout_moy = clect.cout_moyen_fonctionnement(couts, action.annees_moyenne)
                recettes_clect = action.recettes_liees_pct * cout_moy
                inv = _fonction(donnees, c, action.fonction_m14, "investissement", fen_eq) * part
                inv_moy = float(inv.mean())
                if action.methode_equipement == "investissement_moyen":
                    # the average yearly investment of the period is the annualised renewal cost
                    cout_eq = float(clect.cout_annualise_equipement(inv_moy * action.annees_moyenne_equipement,
                                                                    0.0, 0.0, action.annees_moyenne_equipement))
                elif action.methode_equipement == "inventaire":
                    items = [x for x in action.inventaire if x.commune == c]
                    cout_eq = float(sum(clect.cout_annualise_equipement(x.cout, x.frais_financiers,
                                                                        x.entretien_annuel, x.duree_vie)
                                        for x in items))
                else:
                    cout_eq = 0.0
                # resources attached to the equipment (subventions, FCTVA: the commune's observed share of its
                # equipment spending) are deducted like the operating receipts (art. 1609 nonies C IV)
                recettes_eq = base.taux_recettes_inv[i] * cout_eq if action.deduire_recettes_investissement else 0.0
                charges = float(clect.charges_transferees(cout_moy, cout_eq, recettes_clect + recettes_eq))
                ac_avant = float(ac[i, it])
                # actual operating cost of the competence in year R, moving at the date with its staff
                cout_reel_R = float(_fonction(donnees, c, action.fonction_m14, "fonctionnement", [R]).iloc[0]) * part
                perso_R = action.part_personnel * cout_reel_R
                etp_c = action.etp.get(c, perso_R / h.cout_moyen_etp_keur)
                recettes_R = action.recettes_liees_pct * cout_reel_R
                ac[i] = ac[i] - facteur * charges
                ac[IA] = ac[IA] + facteur * charges
                for cible, signe in ((i, -1.0), (IA, 1.0)):
                    dc["personnel"][cible] += signe * facteur * perso_R
                    dc["autres_charges"][cible] += signe * facteur * (cout_reel_R - perso_R)
                    dc["autres_recettes"][cible] += signe * facteur * recettes_R
                    if action.transfert_investissement:
                        dc["equipement"][cible] += signe * facteur * inv_moy
                    etp[cible] += signe * facteur * etp_c
                lignes.append({
                    "entite": c, "commune": nom_entite(c), "annees_reference": f"{fen[0]}–{fen[-1]}",
                    "cout_moyen_fonctionnement": cout_moy, "cout_annualise_equipement": cout_eq,
                    "recettes_liees": recettes_clect, "recettes_investissement_deduites": recettes_eq,
                    "charges_transferees": charges,
                    "ac_avant": ac_avant, "ac_apres": float(clect.attribution_compensation_apres_transfert(
                        ac_avant, charges)),
                    "cout_reel_annee_reference": cout_reel_R, "investissement_moyen_transfere": inv_moy,
                    "personnel_transfere": perso_R, "etp_transferes": etp_c})
            details[f"actions[{k}] transfert"] = pd.DataFrame(lignes).assign(
                action=k, competence=action.competence, annee=action.annee)

        elif isinstance(action, ServiceCommun):
            participants = action.communes + (SIREN_AGGLO,)
            p = action.part_personnel
            cout_R: dict[str, float] = {}
            etp_R: dict[str, float] = {}
            if action.fonctions_support:
                # the collection table gives the FTE and their personnel cost (k€) per support function
                cout_R, etp_R = _fonctions_support(donnees, participants, action.fonctions_support, R)
                cout_R = {e: c / p for e, c in cout_R.items()}
            else:
                for e in participants:
                    cout_R[e] = float(_fonction(donnees, e, "0", "fonctionnement", [R]).iloc[0]) * \
                        action.part_fonction_0[e]
                    etp_R[e] = p * cout_R[e] / h.cout_moyen_etp_keur
            total_R = sum(cout_R.values())
            # central cost path of the pooled service (k€ of each year) as the agglomeration bears it: the
            # communes' costs keep the communes' growth, its own cost the agglomeration's, minus the economies
            def chemin(niv: str) -> np.ndarray:
                return p * ind[niv]["personnel"] + (1 - p) * ind[niv]["autres_charges"]
            cout_service = (sum(cout_R[e] for e in action.communes) * chemin("communes")
                            + cout_R[SIREN_AGGLO] * chemin("agglomeration"))
            eco = np.where(annees_arr >= action.economies_a_partir_de,
                           action.economies_etp * h.cout_moyen_etp_keur, 0.0)
            cout_service = cout_service - eco * ind["agglomeration"]["personnel"]
            if action.cle_repartition == "population":
                # the agglomeration bears the share of its own cost in the pooled cost; the communes share the
                # rest by population (the agglomeration's population is the whole territory's: not a key)
                part_agglo = cout_R[SIREN_AGGLO] / total_R if total_R > 0 else 0.0
                pop = pd.Series({e: base.population[IDX[e]] for e in action.communes})
                cle = pd.concat([pop / pop.sum() * (1 - part_agglo), pd.Series({SIREN_AGGLO: part_agglo})])
            elif action.cle_repartition == "etp":
                cle = pd.Series({e: etp_R[e] for e in participants})
            else:
                cle = pd.Series(action.usage).reindex(list(participants))
            parts = cle / cle.sum()
            lignes = []
            for e in participants:
                i = IDX[e]
                quote = facteur * parts[e] * cout_service
                etp_e = etp_R[e]
                if e != SIREN_AGGLO:
                    dc["personnel"][i] -= facteur * p * cout_R[e]
                    dc["autres_charges"][i] -= facteur * (1 - p) * cout_R[e]
                    dc["personnel"][IA] += facteur * p * cout_R[e]
                    dc["autres_charges"][IA] += facteur * (1 - p) * cout_R[e]
                    etp[i] -= facteur * etp_e
                    etp[IA] += facteur * etp_e
                    if action.financement == "imputation_ac":
                        ac[i] -= quote
                        ac[IA] += quote
                    else:
                        abs_ch[i] += quote
                        abs_rec[IA] += quote
                lignes.append({"entite": e, "entite_nom": nom_entite(e), "cout_fonction_annee_reference": cout_R[e],
                               "etp_mis_en_commun": etp_e, "cle": float(cle[e]), "part": float(parts[e]),
                               "contribution_premiere_annee": float(quote[toutes.index(action.annee)]),
                               "contribution_fin_horizon": float(quote[-1])})
            da["personnel"][IA] -= eco
            etp[IA] -= np.where(annees_arr >= action.economies_a_partir_de, action.economies_etp, 0.0)
            details[f"actions[{k}] service commun"] = pd.DataFrame(lignes).assign(
                action=k, service=action.nom, annee=action.annee, financement=action.financement,
                cle_repartition=action.cle_repartition)

        elif isinstance(action, PacteFinancier):
            if action.dsc_montant_keur is not None:
                poids = repartition_dsc(base, action.criteres, donnees)
                montant = action.dsc_montant_keur * (1 + action.dsc_indexation) ** np.clip(
                    annees_arr - action.annee, 0, None)
                apres = annees_arr >= action.annee
                nouvelle = poids.to_numpy()[:, None] * montant[None, :]
                dsc[:IA, apres] = nouvelle[:, apres]
                dsc[IA] = -dsc[:IA].sum(axis=0)
                d = pd.DataFrame({"entite": list(CODES_INSEE), "commune": [nom_entite(c) for c in CODES_INSEE],
                                  "dsc_reference": base.dsc[:IA], "part": poids.to_numpy(),
                                  "dsc_pacte_premiere_annee": nouvelle[:, toutes.index(action.annee)]})
                details[f"actions[{k}] pacte DSC"] = d.assign(action=k, annee=action.annee)
            for vt in action.taux:
                for e in vt.entites:
                    m_fisc[IDX[e], annees_arr >= vt.annee] *= 1 + vt.variation
    # the equipment programme including the transfers (communes' investment index for moved programmes)
    equip = equip + dc["equipement"] * inv_ind["communes"][None, :] + da["equipement"] * inv_ind["agglomeration"][None, :]
    del t_idx
    return Effets(ac=ac, dsc=dsc, m_fisc=m_fisc, dc=dc, da=da, abs_recettes=abs_rec, abs_charges=abs_ch,
                  equipement=equip, etp=etp, prelevement=prelev, details=details)


def repartition_dsc(base: Base, criteres: Mapping[str, float], donnees: DonneesReference | None = None
                    ) -> pd.Series:
    """Shares of the DSC envelope per commune (sum = 1), from weighted criteria (art. 1609 nonies C VI CGI:
    criteria « fixés librement » by the council, population and potentiel fiscal/financier weighing most).

    - ``population``: pop_c / Σ pop (DGFiP ``pop1`` of the reference year);
    - ``potentiel_fiscal``: pop_c × (PF moyen / PF_c) normalised, with PF_c = impôts locaux per inhabitant
      (``impo1 / pop1``) as the PROXY of the potentiel fiscal available in the data (the true potentiel fiscal
      applies the national average rates to the bases: not in the accounts used);
    - ``revenu``: pop_c × (R moyen / R_c) normalised, with R_c = bases nettes de taxe d'habitation per inhabitant
      (``bth / pop1``) as the PROXY of income (no income data in the perimeter's tables); refused when a base is
      missing.
    """
    pop = pd.Series(base.population[:IA], index=list(CODES_INSEE))
    parts = pd.Series(0.0, index=list(CODES_INSEE))
    for crit, w in criteres.items():
        if crit == "population":
            s = pop / pop.sum()
        elif crit == "potentiel_fiscal":
            pf = pd.Series(base.fiscalite[:IA], index=pop.index) / pop
            moyen = base.fiscalite[:IA].sum() / pop.sum()
            s = pop * moyen / pf
            s = s / s.sum()
        elif crit == "revenu":
            bth = pd.Series(base.bases_th[:IA], index=pop.index)
            if bth.isna().any():
                manq = list(bth.index[bth.isna()])
                raise ErreurDonnees(f"critère « revenu » : bases de taxe d'habitation manquantes pour {manq} "
                                    f"en {base.annee}", fichier=(donnees.sources.get("finances_communes")
                                                                  if donnees else "finances_communes"),
                                    colonne="bth")
            r = bth / pop
            s = pop * (bth.sum() / pop.sum()) / r
            s = s / s.sum()
        else:  # pragma: no cover - the schema refuses other criteria
            raise ValueError(crit)
        parts = parts + w * s
    return parts


# ---------------------------------------------------------------------------------------------------------
# vectorised core
# ---------------------------------------------------------------------------------------------------------


def _noyau(scenario: Scenario, base: Base, eff: Effets, chocs: Mapping[str, np.ndarray] | None = None,
           sorties: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """Project every entity; returns indicator -> array (D, 23, T) (T = R … fin; index 0 = reference year).

    ``chocs``: draws of the assumptions, each an array (D,): an absolute shift of the yearly growth of each
    family (both levels), of the new-loan interest rate (``taux_interet``), and a relative shift of the
    equipment programme (``investissement``). Missing keys = no shock.
    """
    h = scenario.hypotheses
    annees = scenario.annees
    T = len(annees) + 1
    chocs = dict(chocs or {})
    D = max([1] + [len(v) for v in chocs.values()])
    z = np.zeros(D)
    ch = {k: np.asarray(chocs.get(k, z), dtype="float64") for k in FAMILLES + ("taux_interet", "investissement")}

    def indice(niv: str, f: str) -> np.ndarray:  # (D, T)
        g = np.array([0.0] + [h.croissance[niv][f][a] for a in annees])
        fac = 1.0 + g[None, :] + ch[f][:, None]
        fac[:, 0] = 1.0
        return np.cumprod(fac, axis=1)

    I = {(niv, f): indice(niv, f) for niv in ("communes", "agglomeration") for f in FAMILLES}

    def famille(f: str, v0: np.ndarray) -> np.ndarray:  # (D, E, T)
        ic, ia = I[("communes", f)], I[("agglomeration", f)]
        out = np.empty((D, E, T))
        out[:, :IA, :] = v0[None, :IA, None] * ic[:, None, :]
        out[:, IA, :] = v0[IA] * ia
        if eff.dc[f].any():
            out += eff.dc[f][None] * ic[:, None, :]
        if eff.da[f].any():
            out += eff.da[f][None] * ia[:, None, :]
        return out

    di = h.dotation_intercommunalite
    fisc = famille("fiscalite", base.fiscalite) * eff.m_fisc[None]
    dgf0 = base.dgf.copy()
    dgf0[IA] = base.dotation_compensation
    dgf = famille("dgf", dgf0)
    ac = np.broadcast_to(eff.ac[None], (D, E, T))
    dsc = np.broadcast_to(eff.dsc[None], (D, E, T))
    c = cif(fisc[:, IA, :], fisc[:, :IA, :].sum(axis=1), -ac[:, IA, :], -dsc[:, IA, :], di.part_dsc_cif)  # (D, T)
    c[:, 0] = base.cif
    lag = di.decalage_annees
    c_retard = np.concatenate([np.full((D, lag), base.cif), c[:, :T - lag]], axis=1) if lag else c
    dotation = dotation_intercommunalite(base.population[IA], di.valeur_point_eur_hab,
                                         c_retard, di.cif_moyen_categorie) * I[("agglomeration", "dgf")]
    dgf[:, IA, :] += dotation
    autres_rec = famille("autres_recettes", base.autres_recettes) + eff.abs_recettes[None]
    rrf = fisc + dgf + autres_rec + ac + dsc
    perso = famille("personnel", base.personnel)
    autres_ch = famille("autres_charges", base.autres_charges) + eff.abs_charges[None]
    drf_hi = perso + autres_ch
    equip = eff.equipement[None] * (1.0 + ch["investissement"])[:, None, None]
    recinv = equip * base.taux_recettes_inv[None, :, None]
    prelev = np.broadcast_to(eff.prelevement[None], (D, E, T))

    L = h.emprunts.duree_annees
    taux_new = h.emprunts.taux_interet + ch["taux_interet"]  # (D,)
    with np.errstate(divide="ignore", invalid="ignore"):
        taux_ex = np.where(base.dette > 0, base.interets / base.dette, 0.0)
    interets = np.empty((D, E, T))
    remb = np.empty((D, E, T))
    emprunt = np.empty((D, E, T))
    encours = np.empty((D, E, T))
    interets[:, :, 0] = base.interets
    remb[:, :, 0] = base.remboursement
    emprunt[:, :, 0] = np.nan
    encours[:, :, 0] = base.dette
    s_ex = np.broadcast_to(base.dette, (D, E)).copy()
    s_new = np.zeros((D, E))
    for t in range(1, T):
        rem_ex = np.minimum(s_ex, base.remboursement[None, :])
        rem_new = emprunt[:, :, max(1, t - L):t].sum(axis=2) / L
        interets[:, :, t] = taux_ex[None, :] * s_ex + taux_new[:, None] * s_new
        eb = rrf[:, :, t] - drf_hi[:, :, t] - interets[:, :, t]
        remb[:, :, t] = rem_ex + rem_new
        besoin = equip[:, :, t] - recinv[:, :, t] - (eb - remb[:, :, t]) - prelev[:, :, t]
        emprunt[:, :, t] = np.maximum(0.0, besoin)
        s_ex = s_ex - rem_ex
        s_new = s_new + emprunt[:, :, t] - rem_new
        encours[:, :, t] = s_ex + s_new
    eg = rrf - drf_hi
    eg[:, :, 0] = base.caf + base.interets  # reference year: DGFiP CAF + interest (= RRF − DRF hors intérêts)
    eb = eg - interets
    en = eb - remb
    out = {
        "recettes_reelles_fonctionnement": rrf, "fiscalite": fisc, "dgf": dgf, "attribution_compensation": ac,
        "dsc": dsc, "autres_recettes": autres_rec, "personnel": perso, "autres_charges": autres_ch,
        "depenses_reelles_fonctionnement_hors_interets": drf_hi, "interets": interets,
        "epargne_gestion": eg, "epargne_brute": eb,
        "remboursement_dette": remb, "epargne_nette": en, "depenses_equipement": equip,
        "recettes_investissement": recinv, "emprunt": emprunt, "encours_dette": encours,
    }
    voulues = set(INDICATEURS) if sorties is None else set(sorties)

    def derive(k: str) -> np.ndarray:
        if k == "depenses_reelles_fonctionnement":
            return drf_hi + interets
        if k == "prelevement_fonds_roulement":
            pr = np.array(prelev, dtype="float64")
            pr[:, :, 0] = np.nan
            return pr
        if k == "variation_fonds_roulement":
            vfr = emprunt - (equip - recinv - en - prelev)
            vfr[:, :, 0] = np.nan
            return vfr
        with np.errstate(divide="ignore", invalid="ignore"):
            if k == "taux_epargne_brute":
                return eb / rrf
            if k == "capacite_desendettement":
                return np.where(eb > 0, encours / eb, np.nan)
        if k in ("cif", "dotation_intercommunalite"):
            a = np.full((D, E, T), np.nan)
            a[:, IA, :] = c if k == "cif" else dotation
            return a
        if k == "etp":
            return np.broadcast_to(eff.etp[None], (D, E, T))
        raise KeyError(k)

    for k in voulues - set(out):
        out[k] = derive(k)
    return {k: out[k] for k in (sorties if sorties is not None else INDICATEURS)}


def bloc(sorties: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Bloc communal (22 communes + agglomeration) aggregates, arrays (D, T).

    Flows between the two levels cancel: AC and DSC sum to zero (the agglomeration's are negative), so the sum of
    the entities' RRF is the consolidated RRF. Ratios are recomputed on the sums.
    """
    out = {}
    for k, v in sorties.items():
        if k in ADDITIFS:
            out[k] = np.nansum(v, axis=1) if k not in ("dotation_intercommunalite",) else v[:, IA, :]
    if "epargne_brute" in out and "recettes_reelles_fonctionnement" in out:
        with np.errstate(divide="ignore", invalid="ignore"):
            out["taux_epargne_brute"] = out["epargne_brute"] / out["recettes_reelles_fonctionnement"]
    if "epargne_brute" in out and "encours_dette" in out:
        with np.errstate(divide="ignore", invalid="ignore"):
            out["capacite_desendettement"] = np.where(out["epargne_brute"] > 0,
                                                      out["encours_dette"] / out["epargne_brute"], np.nan)
    if "emprunt" in out:
        out["emprunt"][:, 0] = np.nan
    for k in ("prelevement_fonds_roulement", "variation_fonds_roulement"):
        if k in out:
            out[k][:, 0] = np.nan
    if "cif" in sorties:
        out["cif"] = sorties["cif"][:, IA, :]
    return out


# ---------------------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Resultat:
    """Projection of one scenario: long table + the details of each action."""

    scenario: Scenario
    long: pd.DataFrame
    details: dict[str, pd.DataFrame]
    base: Base
    effets: Effets

    @property
    def exemple(self) -> bool:
        return "exemple" in self.base.provenances

    def large(self, indicateur: str, entites: list[str] | None = None) -> pd.DataFrame:
        """Entity × year table of one indicator."""
        d = self.long[self.long["indicateur"] == indicateur]
        t = d.pivot(index="entite", columns="annee", values="valeur")
        ordre = [e for e in list(ENTITES) + [BLOC] if e in t.index]
        t = t.loc[entites or ordre]
        t.columns.name = None
        return t


def projeter(scenario: Scenario, donnees: DonneesReference) -> Resultat:
    """Year-by-year projection of every commune, the agglomeration and the bloc communal."""
    base = etat_reference(donnees, scenario)
    eff = effets_actions(scenario, donnees, base)
    sorties = _noyau(scenario, base, eff)
    for k in ("personnel", "autres_charges", "depenses_equipement"):
        neg = np.argwhere(sorties[k][0] < -1e-6)
        if len(neg) and scenario.actions:
            e, t = neg[0]
            raise ErreurScenario(f"clé « actions » : les actions retirent plus que le montant projeté de « {k} » "
                                 f"pour {ENTITES[e]} ({nom_entite(ENTITES[e])}) en "
                                 f"{scenario.annee_reference + int(t)} ({sorties[k][0][e, t]:.1f} k€) : vérifier "
                                 f"part_fonction / part_fonction_0 / part_personnel", fichier=scenario.fichier)
    b = bloc(sorties)
    annees = [scenario.annee_reference] + scenario.annees
    morceaux = []
    ent = np.array(list(ENTITES))
    for k in INDICATEURS:
        v = sorties[k][0]  # (E, T)
        morceaux.append(pd.DataFrame({"entite": np.repeat(ent, len(annees)), "annee": np.tile(annees, E),
                                      "indicateur": k, "valeur": v.reshape(-1)}))
        if k in b:
            morceaux.append(pd.DataFrame({"entite": BLOC, "annee": annees, "indicateur": k, "valeur": b[k][0]}))
    long = pd.concat(morceaux, ignore_index=True)
    # indicators that only exist for the agglomeration / the bloc
    seul_agglo = long["indicateur"].isin(["cif", "dotation_intercommunalite"]) & ~long["entite"].isin(
        [SIREN_AGGLO, BLOC])
    long = long[~seul_agglo]
    long = long[~((long["entite"] == BLOC) & long["indicateur"].isin(["attribution_compensation", "dsc"]))]
    long.insert(0, "scenario", scenario.nom)
    long = long.sort_values(["entite", "indicateur", "annee"], kind="stable").reset_index(drop=True)
    long["annee"] = long["annee"].astype("int64")
    return Resultat(scenario=scenario, long=long, details=eff.details, base=base, effets=eff)


def comparer(resultat: Resultat, reference: Resultat) -> pd.DataFrame:
    """Differences scenario − reference by entity, year and indicator (long form, column ``ecart``)."""
    cles = ["entite", "annee", "indicateur"]
    a = resultat.long.set_index(cles)["valeur"]
    b = reference.long.set_index(cles)["valeur"]
    if not a.index.equals(b.index):
        b = b.reindex(a.index)
    out = pd.DataFrame({"scenario": resultat.scenario.nom, "reference": reference.scenario.nom,
                        "valeur_scenario": a, "valeur_reference": b, "ecart": a - b}).reset_index()
    return out


def synthese_comparaison(resultats: list[Resultat], annee: int | None = None) -> pd.DataFrame:
    """Side-by-side table of the bloc, the agglomeration and the communes (sum) for several scenarios."""
    lignes = []
    for r in resultats:
        fin = annee or r.scenario.fin
        horizon = list(range(r.scenario.debut, r.scenario.fin + 1))
        L = r.long
        def val(ent, ind, an=fin):
            s = L[(L.entite == ent) & (L.indicateur == ind) & (L.annee == an)]["valeur"]
            return float(s.iloc[0]) if len(s) else np.nan
        def cumul(ent, ind):
            return float(L[(L.entite == ent) & (L.indicateur == ind) & L.annee.isin(horizon)]["valeur"].sum())
        communes = L[L.entite.isin(CODES_INSEE)]
        en_com = float(communes[(communes.indicateur == "epargne_nette") & communes.annee.isin(horizon)]["valeur"].sum())
        lignes.append({
            "scenario": r.scenario.nom,
            "epargne_nette_cumulee_bloc": cumul(BLOC, "epargne_nette"),
            "epargne_nette_cumulee_communes": en_com,
            "epargne_nette_cumulee_agglo": cumul(SIREN_AGGLO, "epargne_nette"),
            "emprunts_cumules_bloc": cumul(BLOC, "emprunt"),
            "encours_fin_bloc": val(BLOC, "encours_dette"),
            "capacite_desendettement_fin_bloc": val(BLOC, "capacite_desendettement"),
            "capacite_desendettement_fin_agglo": val(SIREN_AGGLO, "capacite_desendettement"),
            "cif_fin": val(SIREN_AGGLO, "cif"),
            "dotation_intercommunalite_fin": val(SIREN_AGGLO, "dotation_intercommunalite"),
            "etp_agglo_fin": val(SIREN_AGGLO, "etp"),
            "etp_bloc_fin": val(BLOC, "etp"),
        })
    return pd.DataFrame(lignes)
