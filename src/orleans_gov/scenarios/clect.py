"""Évaluation des charges transférées (CLECT) and attributions de compensation after a transfer.

Legal frame — art. 1609 nonies C CGI:
- IV : the commission locale d'évaluation des charges transférées (CLECT) evaluates the charges transferred.
  « Les dépenses de fonctionnement, non liées à un équipement, sont évaluées d'après leur coût réel dans les
  budgets communaux lors de l'exercice précédant le transfert de compétences ou d'après leur coût réel dans les
  comptes administratifs des exercices précédant ce transfert. Dans ce dernier cas, la période de référence est
  déterminée par la commission. » → :func:`cout_moyen_fonctionnement` (average over the N years chosen).
  « Le coût des dépenses liées à des équipements concernant les compétences transférées est calculé sur la base
  d'un coût moyen annualisé. Ce coût intègre le coût de réalisation ou d'acquisition de l'équipement ou, en tant
  que de besoin, son coût de renouvellement. Il intègre également les charges financières et les dépenses
  d'entretien. L'ensemble de ces dépenses est pris en compte pour une durée normale d'utilisation et ramené à une
  seule année. » → :func:`cout_annualise_equipement`.
  « Le coût des dépenses transférées est réduit, le cas échéant, des ressources afférentes à ces charges. »
  → :func:`charges_transferees`.
- V 2° : the attribution de compensation equals the fiscalité professionnelle received by the commune the year
  before the FPU, « diminué du coût net des charges transférées » ; it is not indexed ; when it is negative the
  commune pays it to the EPCI (V 1° al. 7) → :func:`attribution_compensation_apres_transfert`.
- Shared services (art. L.5211-4-2 CGCT al. 5) : the effects of pooling « peuvent également être pris en compte
  par imputation sur l'attribution de compensation » → :func:`imputation_service_commun`.

All amounts in k€.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

Nombres = float | np.ndarray | pd.Series


def cout_moyen_fonctionnement(couts_nets: pd.Series | pd.DataFrame | Sequence[float], n_annees: int
                              ) -> float | pd.Series:
    """Average net operating cost of the last ``n_annees`` years (art. 1609 nonies C IV al. 5 CGI).

    ``couts_nets``: net costs by year — a sequence (chronological order), a Series indexed by year, or a
    DataFrame with one row per commune and one column per year. The last ``n_annees`` years (columns sorted)
    are averaged. Fewer than ``n_annees`` years, or a missing value in the window, raises ``ValueError``:
    the CLECT cannot evaluate on incomplete accounts (missing is never read as zero).
    """
    if n_annees < 1:
        raise ValueError(f"nombre d'années de la période de référence invalide : {n_annees}")
    if isinstance(couts_nets, pd.DataFrame):
        cols = sorted(couts_nets.columns)
        if len(cols) < n_annees:
            raise ValueError(f"{len(cols)} années disponibles, {n_annees} demandées pour la moyenne CLECT")
        fen = couts_nets[cols[-n_annees:]]
        if fen.isna().any().any():
            manquants = [(i, c) for i in fen.index for c in fen.columns if pd.isna(fen.at[i, c])]
            raise ValueError(f"coût net manquant pour la moyenne CLECT : {manquants[:5]}")
        return fen.mean(axis=1)
    if isinstance(couts_nets, pd.Series):
        s = couts_nets.sort_index()
    else:
        s = pd.Series(list(couts_nets), dtype="float64")
    if len(s) < n_annees:
        raise ValueError(f"{len(s)} années disponibles, {n_annees} demandées pour la moyenne CLECT")
    fen = s.iloc[-n_annees:].astype("float64")
    if fen.isna().any():
        raise ValueError(f"coût net manquant pour la moyenne CLECT : années {list(fen[fen.isna()].index)}")
    return float(fen.mean())


def cout_annualise_equipement(cout_acquisition_ou_renouvellement: Nombres, frais_financiers: Nombres,
                              entretien_annuel: Nombres, duree_vie: Nombres) -> Nombres:
    """Annualised cost of an equipment (art. 1609 nonies C IV al. 6 CGI).

    = (coût de réalisation, d'acquisition ou de renouvellement + charges financières sur la durée d'utilisation)
      / durée normale d'utilisation + dépenses d'entretien annuelles.

    The financial charges are the total interest paid over the useful life (e.g. of the loan that funded it);
    the maintenance is already an annual amount, so it is added, not divided. Vectorised (numpy broadcasting).
    """
    duree = np.asarray(duree_vie, dtype="float64")
    if np.any(~(duree > 0)):
        raise ValueError(f"durée de vie invalide (doit être > 0) : {duree_vie!r}")
    for nom, v in (("coût", cout_acquisition_ou_renouvellement), ("frais financiers", frais_financiers),
                   ("entretien", entretien_annuel)):
        if np.any(np.asarray(v, dtype="float64") < 0):
            raise ValueError(f"{nom} négatif refusé : {v!r}")
    return (cout_acquisition_ou_renouvellement + frais_financiers) / duree_vie + entretien_annuel


def charges_transferees(cout_fonctionnement: Nombres, cout_equipement: Nombres, recettes_liees: Nombres
                        ) -> Nombres:
    """Net charges transferred (art. 1609 nonies C IV CGI): operating cost + annualised equipment cost − the
    receipts attached to the competence (fees, grants, …) that move with it."""
    return cout_fonctionnement + cout_equipement - recettes_liees


def attribution_compensation_apres_transfert(ac_avant: Nombres, charges_transferees: Nombres) -> Nombres:
    """AC after a transfer (art. 1609 nonies C V 2° CGI): AC before − net charges transferred.

    The result may be negative: the commune then pays the EPCI (art. 1609 nonies C V 1° al. 7). The AC is not
    indexed: it stays at this amount until the next evaluation.
    """
    return ac_avant - charges_transferees


def repartition_cle(cout_total: Nombres, cles: pd.Series) -> pd.DataFrame | pd.Series:
    """Split a cost between participants by a key (population, usage units, FTE…), shares = key / Σ key."""
    cles = cles.astype("float64")
    if (cles < 0).any() or cles.isna().any():
        raise ValueError(f"clé de répartition invalide (négative ou manquante) : {cles.to_dict()}")
    total = cles.sum()
    if total <= 0:
        raise ValueError("clé de répartition de total nul")
    parts = cles / total
    if np.ndim(cout_total) == 0:
        return parts * cout_total
    return pd.DataFrame(np.outer(parts.to_numpy(), np.asarray(cout_total)), index=cles.index)


def imputation_service_commun(ac_avant: Nombres, part_cout_service: Nombres) -> Nombres:
    """AC after imputation of a shared service (art. L.5211-4-2 al. 5 CGCT): AC − the commune's share of the
    cost of the service commun (the share given by the cost key of the convention). May become negative."""
    return ac_avant - part_cout_service
