"""Bridge between the two presentations of the block's spending (issue 14): « dépenses par nature » (DGFiP
aggregates: charges de fonctionnement + dépenses d'équipement) and « dépenses par fonction » (Σ of the M14
functions, both sections). The functional presentation ventilates every spending of both sections, hence the whole
of the investment section (« emplois d'investissement », DGFiP ``depinv`` / ``eitot``), including the repayment of
the principal of loans; the nature total keeps only the equipment. Each line is computed from the accounts; the
« écart non expliqué » is the remainder, never a constant."""
from __future__ import annotations

import pandas as pd

from orleans_gov.analyse.colonnes import numerique, somme_stricte
from orleans_gov.analyse.politiques import normaliser_depenses
from orleans_gov.base import vocabulaire
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import SIREN_AGGLO

# (charges de fonctionnement, dépenses d'équipement, remboursement d'emprunts, emplois d'investissement)
CHAMPS_COMMUNES = ("charge", "equip", "remb", "depinv")
CHAMPS_AGGLO = ("cftot", "detot", "edettot", "eitot")
LIGNES_PONT = ("pont_depenses_nature", "pont_remboursement_emprunts", "pont_autres_emplois_investissement",
               "pont_ecart_non_explique", "pont_depenses_fonction")


def _comptes(f: pd.DataFrame, champs: tuple[str, ...], an: int, fichier: str) -> list[float]:
    a = f[f["an"] == an]
    if a.empty:
        raise ErreurDonnees(f"aucun compte pour l'exercice {an}", fichier=fichier, colonne="an", valeur=an)
    return [numerique(a, c, fichier).agg(somme_stricte) for c in champs]


def _colonne(nature: list[float], somme_fonctions: float) -> list[float]:
    charge, equip, remb, emplois_inv = nature
    autres = emplois_inv - equip - remb
    non_explique = somme_fonctions - (charge + emplois_inv)
    # accounts are published in k€ to the cent of k€: round away the float noise of the subtractions
    return [round(v, 2) for v in (charge + equip, remb, autres, non_explique, somme_fonctions)]


def pont_fonction_nature(depenses: pd.DataFrame, finances_communes: pd.DataFrame, finances_agglo: pd.DataFrame,
                         an: int) -> pd.DataFrame:
    """Line-by-line bridge from spending by nature to spending by function, year ``an``, in k€.

    Per level (22 communes, agglomération, bloc = their sum; spending carries no AC/DSC flow, so the bloc needs no
    consolidation, see :func:`orleans_gov.analyse.bloc.bloc_communal`):

    - nature = charges de fonctionnement + dépenses d'équipement (DGFiP ``charge`` + ``equip``; GFP ``cftot`` +
      ``detot``);
    - + remboursement d'emprunts (``remb``; ``edettot``): an investment spending the functional presentation
      ventilates (M14, présentation fonctionnelle of the investment section) and the nature total leaves out;
    - + autres emplois d'investissement = ``depinv`` − ``equip`` − ``remb`` (``eitot`` − ``detot`` − ``edettot``);
    - + écart non expliqué = Σ functions − (charges + emplois d'investissement) (0 when the per-entity check of
      :func:`~orleans_gov.analyse.politiques.ecarts_depenses_comptes` passes);
    - = Σ functions M14 (both sections).

    By construction lines 1–4 add up to line 5. Sums are strict: one missing value makes the level NaN.
    Index: the line labels (vocabulary); columns ``communes_keur``, ``agglomeration_keur``, ``bloc_keur``.
    """
    d = normaliser_depenses(depenses)
    d = d[d["an"] == an]
    est_agglo = d["entite"].astype(str) == SIREN_AGGLO
    som_c = somme_stricte(d.loc[~est_agglo, "montant"]) if (~est_agglo).any() else float("nan")
    som_a = somme_stricte(d.loc[est_agglo, "montant"]) if est_agglo.any() else float("nan")
    src_c = str(finances_communes.attrs.get("fichier", "finances_communes"))
    src_a = str(finances_agglo.attrs.get("fichier", "finances_agglo"))
    communes = _colonne(_comptes(finances_communes, CHAMPS_COMMUNES, an, src_c), som_c)
    agglomeration = _colonne(_comptes(finances_agglo, CHAMPS_AGGLO, an, src_a), som_a)
    t = pd.DataFrame({"communes_keur": communes, "agglomeration_keur": agglomeration},
                     index=pd.Index([vocabulaire.libelle(n) for n in LIGNES_PONT],
                                    name=vocabulaire.libelle("pont_ligne")), dtype="float64")
    t["bloc_keur"] = t["communes_keur"] + t["agglomeration_keur"]
    return t
