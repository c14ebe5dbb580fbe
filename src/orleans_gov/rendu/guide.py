"""Texts of the reading guide of ``index.html``: what each deliverable answers and how to read it.

Keyed by the notebook's number (the ``NN`` of ``NN_nom.ipynb``), so that a notebook renamed by its author keeps its
text; the reading order is the key's ``rang``: synthèse → 01 diagnostic → 02 organisations → 03 scénarios →
04 comparaison des scénarios → the fiches. A deliverable is shown in the guide only when it is rendered in the
run (the synthèse and notebook 04 may not exist yet); a notebook without a text here is listed by its title, in
the order of its number.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Lecture:
    rang: int
    titre: str       # heading in the guide
    question: str    # what the document answers
    conseil: str     # how to read it


INTRODUCTION = (
    "Les livrables de la mission se lisent dans l'ordre ci-dessous : la synthèse d'abord, puis le diagnostic des "
    "politiques publiques, la comparaison des organisations et les scénarios d'évolution, enfin les fiches par "
    "entité. Chaque document existe en page HTML autonome (aucune connexion nécessaire), en PDF paginé avec "
    "sommaire quand il a été imprimé, et avec une annexe Excel reprenant tous ses tableaux (un onglet par "
    "tableau, sources en tête).")

GUIDE: dict[str, Lecture] = {
    "00": Lecture(0, "Synthèse",
                  "Ce qu'il faut retenir de la mission en quelques pages : les constats du diagnostic, les scénarios "
                  "étudiés et leurs effets, les recommandations.",
                  "À lire en premier ; chaque constat renvoie au document qui l'établit."),
    "01": Lecture(1, "Diagnostic des politiques publiques",
                  "Qui dépense quoi, pour quelle politique publique et à quel niveau — chaque commune, "
                  "l'agglomération, le bloc communal consolidé — comparé aux moyennes nationales des strates ?",
                  "Commencer par la situation financière du bloc communal, puis les dépenses par politique et la "
                  "matrice des compétences (qui exerce quoi, sur quelle base légale)."),
    "02": Lecture(2, "Comparaison des organisations",
                  "Combien d'agents, pour quel coût et dans quelles fonctions support, dans chaque commune et à "
                  "l'agglomération ? Où les mêmes fonctions se retrouvent-elles en plusieurs endroits ?",
                  "Les effectifs sont rapportés à la population ; les fonctions support présentes dans plusieurs "
                  "entités sont la matière des services communs étudiés dans les scénarios."),
    "03": Lecture(3, "Scénarios financiers",
                  "Que changent, année par année jusqu'à la fin du mandat, les transferts de compétences, les "
                  "services communs et le pacte financier pour chaque commune, l'agglomération et le bloc ?",
                  "Lire d'abord les hypothèses du scénario de référence (« fil de l'eau »), puis chaque scénario "
                  "comparé à lui ; l'analyse de sensibilité dit quelle hypothèse pèse le plus."),
    "04": Lecture(4, "Comparaison des scénarios",
                  "Les scénarios côte à côte : lequel améliore l'épargne, la dette et l'intégration fiscale, et "
                  "pour quelles entités ?",
                  "À lire après les scénarios financiers, dont il reprend les résultats."),
    "10": Lecture(10, "Fiches par entité",
                  "Le portrait de chaque commune et de l'agglomération : identité, situation financière comparée à "
                  "la strate, personnel et organisation, dépenses par politique et ce que chaque scénario change "
                  "pour elle.",
                  "Une fiche par entité, qui se lit seule ; les comparaisons avec les 22 communes et les scénarios "
                  "sont détaillés dans les documents d'ensemble."),
}


def cle(notebook: str) -> str | None:
    """« 03 » for ``…/03_scenarios_financiers.ipynb``; None without a number."""
    m = re.match(r"^(\d+)_", Path(notebook).stem)
    return m.group(1) if m else None


def lecture(notebook: str, titre: str) -> Lecture:
    """The guide's entry of a notebook (a plain entry with its title when the guide has no text for it)."""
    k = cle(notebook)
    if k in GUIDE:
        return GUIDE[k]
    return Lecture(int(k) if k else 99, titre, "", "")
