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

Pacte financier et fiscal (§2) and schéma de mutualisation (§3):

- :mod:`.pacte` — allocation criteria as the law computes them (population, insufficiency, richesse, free), controls;
- :mod:`.attributions` — free revision of the AC (1609 nonies C V 1° bis CGI: :func:`revision_libre_ac`,
  :func:`conditions_revision_libre`, :func:`verifier_revision_libre`) and the V 7°
  (:func:`verifier_revision_derogatoire`);
- :mod:`.dsc` — dotation de solidarité communautaire (1609 nonies C VI: :func:`repartition_dsc`, contrat de ville
  minimum :func:`dsc_minimum_contrat_de_ville`, :func:`vote_dsc`);
- :mod:`.fpic` — FPIC split (L2336-3, L2336-5 CGCT: :func:`repartition_fpic`, :func:`conditions_fpic`,
  :func:`vote_fpic`, :func:`ressources_nationales`);
- :mod:`.fiscalite` — harmonised rates, rate pact and the taxpayers' side (:func:`harmonisation_taux`,
  :func:`pacte_taux`), rate limits (1636 B sexies, septies, decies CGI: :func:`verifier_taux`);
- :mod:`.mutualisation` — schéma de mutualisation (L5211-39-1, L5211-4-2: :func:`schema_mutualisation`,
  :func:`echeances_schema`) and coefficient de mutualisation (L5211-4-1 V: :func:`coefficient_mutualisation`).

Legal values (barèmes, rates, thresholds by date): ``base/parametres/gouvernance.yaml``, ``pacte.yaml``,
``mutualisation.yaml``.
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
from orleans_gov.scenarios.gouvernance.attributions import (ConditionsRevision, RevisionAC, VerificationRevision,
                                                            conditions_revision_libre, revision_libre_ac,
                                                            verifier_revision_derogatoire, verifier_revision_libre)
from orleans_gov.scenarios.gouvernance.dsc import (RepartitionDSC, dsc_minimum_contrat_de_ville, regle_dsc,
                                                   repartition_dsc, vote_dsc)
from orleans_gov.scenarios.gouvernance.fiscalite import (HarmonisationTaux, PacteTaux, harmonisation_taux, pacte_taux,
                                                         variation_en_points, verifier_taux)
from orleans_gov.scenarios.gouvernance.fpic import (ConditionsFPIC, RepartitionFPIC, conditions_fpic, repartition_fpic,
                                                    ressources_nationales, vote_fpic)
from orleans_gov.scenarios.gouvernance.mutualisation import (AlignementRI, CoefficientMutualisation, EcheancesSchema,
                                                             SchemaMutualisation, ServiceCommunSpec,
                                                             coefficient_mutualisation, echeances_schema,
                                                             schema_mutualisation)

__all__ = ["CATEGORIES", "REGLES", "AnalysePivot", "Eligibilite", "Lectures", "RepartitionSieges", "Repartitions",
           "Resultat", "VerificationAccord", "accords_locaux_valides", "coalitions_pivots", "comparer_transferts",
           "conseillers_municipaux", "ecart_competences", "eligibilite", "majorite_qualifiee", "poids_conseil",
           "repartitions_vi_valides", "sieges_droit_commun", "transferts_constates", "verifier_accord_local",
           # pacte financier et fiscal, schéma de mutualisation
           "AlignementRI", "CoefficientMutualisation", "ConditionsFPIC", "ConditionsRevision", "EcheancesSchema",
           "HarmonisationTaux", "PacteTaux", "RepartitionDSC", "RepartitionFPIC", "RevisionAC", "SchemaMutualisation",
           "ServiceCommunSpec", "VerificationRevision", "coefficient_mutualisation", "conditions_fpic",
           "conditions_revision_libre", "dsc_minimum_contrat_de_ville", "echeances_schema", "harmonisation_taux",
           "pacte_taux", "regle_dsc", "repartition_dsc", "repartition_fpic", "ressources_nationales",
           "revision_libre_ac", "schema_mutualisation", "variation_en_points", "verifier_revision_derogatoire",
           "verifier_revision_libre", "verifier_taux", "vote_dsc", "vote_fpic"]
