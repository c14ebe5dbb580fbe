"""Gouvernance intercommunale: the pure legal functions behind the options of issue 12 (§1 change of category, §4
council composition), dated by the law in force. Frames/dicts in, frames/dataclasses out; no file, no sentence.

- :mod:`.conseil` — droit commun of art. L5211-6-1 III to VI CGCT (:func:`sieges_droit_commun`), seat/population
  weights (:func:`poids_conseil`);
- :mod:`.proportionnalite` — the 20 % test of the accord local (I 2° e), loi n° 2015-264) and exact enumeration;
- :mod:`.accords` — validity of an accord local (:func:`verifier_accord_local`), every valid accord local
  (:func:`accords_locaux_valides`) and VI allocation (:func:`repartitions_vi_valides`);
- :mod:`.majorites` — qualified majorities (L5211-5 II, L5211-17, L5211-41, L5211-6-1 I and VI, L5217-1, two thirds of
  the council, unanimity: :func:`majorite_qualifiee`) and the pivot analysis (:func:`coalitions_pivots`);
- :mod:`.categories` — eligibility to CU / métropole (L5215-1, L5217-1: :func:`eligibilite`), competences a category
  requires that the AgglO did not hold (:func:`ecart_competences`), transfers recorded in the competence table
  (:func:`transferts_constates`) and the backtest of both (:func:`comparer_transferts`).

Legal values (barèmes, rates, thresholds by date): ``base/parametres/gouvernance.yaml``.
"""
from __future__ import annotations

from orleans_gov.scenarios.gouvernance.accords import (Repartitions, VerificationAccord, accords_locaux_valides,
                                                        repartitions_vi_valides, verifier_accord_local)
from orleans_gov.scenarios.gouvernance.categories import (Eligibilite, comparer_transferts, ecart_competences,
                                                           eligibilite, transferts_constates)
from orleans_gov.scenarios.gouvernance.conseil import (CATEGORIES, RepartitionSieges, conseillers_municipaux,
                                                        poids_conseil, sieges_droit_commun)
from orleans_gov.scenarios.gouvernance.majorites import (REGLES, AnalysePivot, Resultat, coalitions_pivots,
                                                          majorite_qualifiee)
from orleans_gov.scenarios.gouvernance.proportionnalite import Lectures

__all__ = ["CATEGORIES", "REGLES", "AnalysePivot", "Eligibilite", "Lectures", "RepartitionSieges", "Repartitions",
           "Resultat", "VerificationAccord", "accords_locaux_valides", "coalitions_pivots", "comparer_transferts",
           "conseillers_municipaux", "ecart_competences", "eligibilite", "majorite_qualifiee", "poids_conseil",
           "repartitions_vi_valides", "sieges_droit_commun", "transferts_constates", "verifier_accord_local"]
