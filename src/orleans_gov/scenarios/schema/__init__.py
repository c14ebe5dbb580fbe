"""Scenario files (``config/scenarios/*.yaml``): the declarative schema (pydantic v2) and its validation.

Why pydantic rather than a JSON schema checked by ``jsonschema``: the typed models **are** the Python objects the
engine and the presentation layer use (``Scenario``, ``Transfert``…, no second translation of the tree); every
error of a file is collected at once with its location, turned into the key path of the file
(``actions[1].communes[3]``) and a French message (:mod:`.erreurs`); the domain rules are custom validators next
to the keys they concern (communes of the perimeter, dates inside the horizon, weights summing to 1, inventory
communes among the transferring ones, policy areas of the sourced competence table…, :mod:`.champs`,
:mod:`.actions`); and the JSON schema exported by the models generates the key reference table of
``config/scenarios/README.md`` (:mod:`.reference`). The descriptions of the keys are the French documentation of
the file format.

- :mod:`.champs` — base model, lists of the format, field types and their rules;
- :mod:`.hypotheses` — the assumptions (``hypotheses``) and their defaults (:data:`DEFAUT_HYPOTHESES`);
- :mod:`.actions` — ``transfert``, ``service_commun``, ``pacte_financier``;
- :mod:`.gouvernance` — the governance actions of issue 12 and the union :data:`Action` of every action type;
- :mod:`.modele` — the root :class:`Scenario` and the explicit overrides of the legal parameters (``parametres``);
- :mod:`.erreurs` — pydantic's errors → key paths and French messages, one ``ErreurScenario``;
- :mod:`.lecture` — :func:`charger_scenario` (the edge that reads YAML) and :func:`valider_scenario` (pure);
- :mod:`.reference` — :func:`table_reference` (README table generated from the model).

A scenario may inherit ``annee_reference``, ``horizon``, ``hypotheses`` and ``parametres`` of another file with
``base: fil-de-l-eau.yaml`` (path relative to the scenario file); its own ``hypotheses`` and ``parametres`` are
merged key by key over the inherited ones.
"""
from __future__ import annotations

from orleans_gov.scenarios.donnees import domaines_competences
from orleans_gov.scenarios.schema.actions import (ClectTransfert, Criteres, DscPacte, Economies,
                                                  EquipementClect, EquipementInventaire, PacteFinancier,
                                                  PersonnelTransfert, ServiceCommun, Transfert, VariationTaux)
from orleans_gov.scenarios.schema.champs import (CLES_REPARTITION, CRITERES_DSC, FAMILLES, FAMILLES_DEPENSES,
                                                 FAMILLES_RECETTES, FINANCEMENTS_SERVICE, HYPOTHESES_SENSIBILITE,
                                                 METHODES_EQUIPEMENT, NIVEAUX, TYPES_ACTIONS)
from orleans_gov.scenarios.schema.gouvernance import (Action, ChangementCategorie, CompositionConseil, DscCriteres,
                                                     FpicRepartition, RevisionAttributions, SchemaMutualisation)
from orleans_gov.scenarios.schema.hypotheses import (DEFAUT_HYPOTHESES, DotationIntercommunalite, Emprunts,
                                                     Hypotheses, Investissement, Sensibilite)
from orleans_gov.scenarios.schema.lecture import charger_scenario, lire_scenario, valider_scenario
from orleans_gov.scenarios.schema.modele import Horizon, Scenario
from orleans_gov.scenarios.schema.reference import schema_json, table_reference

__all__ = ["Action", "ChangementCategorie", "CompositionConseil", "DscCriteres", "FpicRepartition",
           "RevisionAttributions", "SchemaMutualisation", "CLES_REPARTITION", "CRITERES_DSC", "ClectTransfert", "Criteres", "DEFAUT_HYPOTHESES",
           "DotationIntercommunalite", "DscPacte", "Economies", "Emprunts", "EquipementClect",
           "EquipementInventaire", "FAMILLES", "FAMILLES_DEPENSES", "FAMILLES_RECETTES", "FINANCEMENTS_SERVICE",
           "HYPOTHESES_SENSIBILITE", "Horizon", "Hypotheses", "Investissement", "METHODES_EQUIPEMENT", "NIVEAUX",
           "PacteFinancier", "PersonnelTransfert", "Scenario", "Sensibilite", "ServiceCommun", "TYPES_ACTIONS",
           "Transfert", "VariationTaux", "charger_scenario", "domaines_competences", "lire_scenario",
           "schema_json", "table_reference", "valider_scenario"]
