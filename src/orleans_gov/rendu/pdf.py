"""PDF of every HTML page, printed by headless Chromium, with page numbers and a table of contents.

- **Page numbers**: CSS page-margin boxes (``@page { @bottom-right { content: counter(page) " / " counter(pages) } }``,
  supported by Chromium since version 131; checked with Chromium 156): « 3 / 12 » at the bottom right of every
  page, the document title (and entity) at the bottom left. Chromium's own header and footer (date, file URL) are
  off (``--no-pdf-header-footer``). Nothing else is needed: no DevTools protocol, no extra dependency.
- **Table of contents** (« Sommaire », after the cover) with the page of every ``h2``/``h3`` section, in two
  passes: the print copy gets the TOC with placeholder numbers in a fixed-width column and, in each heading, an
  invisible marker (a 1-pixel white text, absolutely positioned: it takes no room); pass 1 is printed and
  ``pdftotext`` (poppler) gives the page of each marker (pages are separated by form feeds); pass 2 is printed
  without the markers and with the page numbers. Neither the markers (out of flow) nor the numbers (fixed-width
  cells, ``table-layout: fixed``) change the layout, so the pages of pass 1 are those of pass 2; the page count is
  checked. Without poppler the TOC is printed without page numbers (one pass) and the run says so.

The print copy is a temporary file next to the page: the ``.html`` deliverable itself is not modified. The pages
are self-contained, so Chromium runs without network. When Chromium is not installed, the run says how to install
it and goes on: the HTML pages are complete and print from any browser.
"""
from __future__ import annotations

import concurrent.futures as cf
import html as _html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from orleans_gov.base.fichiers import empreinte_fichier, remplacer_atomique
from orleans_gov.rendu.taches import MODE_LIVRABLE, Resultat

EXECUTABLES_CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MESSAGE_CHROMIUM = ("PDF non produits : Chromium est introuvable sur ce poste. Pour l'installer (Debian/Ubuntu) : "
                    "« sudo apt-get install chromium » puis relancer « orleans-gov rapports --pdf ». "
                    "Les pages HTML sont complètes et s'impriment aussi depuis un navigateur (Fichier > Imprimer).")
MESSAGE_POPPLER = ("Sommaires des PDF sans numéros de page : pdftotext (poppler) est introuvable. Pour l'installer "
                   "(Debian/Ubuntu) : « sudo apt-get install poppler-utils ».")
MARQUEUR = "@@OGSEC{}@@"
_RE_MARQUEUR = re.compile(r"@@OGSEC(\d+)@@")
_RE_TITRE = re.compile(r"<h([23])\b([^>]*)>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_RE_ID = re.compile(r"""\bid\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_RE_BALISE = re.compile(r"<[^>]+>")
CSS_IMPRESSION = """
@page {{
  @bottom-left {{ content: "{pied}"; font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #5a5a5a; }}
  @bottom-right {{ content: counter(page) " / " counter(pages); font-family: "DejaVu Sans", sans-serif;
                  font-size: 7.5pt; color: #5a5a5a; }}
}}
.og-sommaire {{ margin: 0 0 1em 0; padding: 0.4em 0.9em; border: 1px solid #d0d7de; break-inside: avoid; }}
.og-sommaire-titre {{ font-size: 1.1em; color: #1f4e79; margin: 0.2em 0 0.3em 0; }}
.og-sommaire table {{ width: 100%; table-layout: fixed; border-collapse: collapse; font-size: 0.92em; }}
.og-sommaire td {{ padding: 0.05em 0; vertical-align: bottom; }}
.og-sommaire td.og-sommaire-page {{ width: 3.2em; text-align: right; white-space: nowrap;
                                    font-variant-numeric: tabular-nums; }}
.og-sommaire tr.og-sommaire-n3 td:first-child {{ padding-left: 1.6em; }}
.og-sommaire a {{ color: inherit; text-decoration: none; }}
.og-marqueur {{ position: absolute; font-size: 1px; line-height: 1px; color: #fff; }}
"""


def chromium_disponible() -> str | None:
    """Path of the first Chromium / Chrome executable found on ``PATH``."""
    for nom in EXECUTABLES_CHROMIUM:
        chemin = shutil.which(nom)
        if chemin:
            return chemin
    return None


def pdftotext_disponible() -> str | None:
    return shutil.which("pdftotext")


def _texte(fragment: str) -> str:
    return re.sub(r"\s+", " ", _html.unescape(_RE_BALISE.sub("", fragment))).strip()


def _chaine_css(texte: str) -> str:
    return texte.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def titres_sections(page: str) -> tuple[str, list[dict]]:
    """(page with an ``id`` on every h2/h3 of the body, the sections: level, id, number, text)."""
    debut = page.find('<div class="og-corps')
    if debut < 0:
        return page, []
    numerote = "og-sans-numeros" not in page[debut:debut + 200]
    sections: list[dict] = []
    n2 = n3 = 0
    morceaux = [page[:debut]]
    position = debut
    for m in _RE_TITRE.finditer(page, debut):
        niveau, attributs, contenu = int(m.group(1)), m.group(2), m.group(3)
        if niveau == 2:
            n2, n3 = n2 + 1, 0
            numero = f"{n2}."
        else:
            n3 += 1
            numero = f"{n2}.{n3}"
        ident = _RE_ID.search(attributs)
        ident = ident.group(2) if ident else f"og-section-{len(sections) + 1}"
        balise = m.group(0) if _RE_ID.search(attributs) else f'<h{niveau} id="{ident}"{attributs}>{contenu}</h{niveau}>'
        morceaux += [page[position:m.start()], balise]
        position = m.end()
        sections.append({"niveau": niveau, "id": ident, "numero": numero if numerote else "",
                         "texte": _texte(contenu), "page": None})
    morceaux.append(page[position:])
    return "".join(morceaux), sections


def _avec_marqueurs(page: str, sections: list[dict]) -> str:
    i = iter(range(len(sections)))

    def _marquer(m: re.Match) -> str:
        k = next(i, None)
        if k is None:
            return m.group(0)
        return f"{m.group(0)}<span class=\"og-marqueur\">{MARQUEUR.format(k)}</span>"

    debut = page.find('<div class="og-corps')
    tete, corps = page[:debut], page[debut:]
    return tete + re.sub(r"<h[23]\b[^>]*>", _marquer, corps, flags=re.IGNORECASE)


def copie_impression(page: str, sections: list[dict], pied: str, pages: bool) -> str:
    """The print copy of ``page``: footer (title, page numbers) and the TOC (page numbers when ``pages``)."""
    style = "<style>" + CSS_IMPRESSION.format(pied=_chaine_css(pied)) + "</style>"
    page = page.replace("</head>", style + "</head>", 1)
    if not sections:
        return page
    lignes = []
    for s in sections:
        numero = f"{s['numero']} " if s["numero"] else ""
        texte = _html.escape(numero + s["texte"])
        num = str(s["page"]) if pages and s["page"] else ("000" if not pages else "")
        visibilite = ' style="visibility:hidden"' if not pages else ""
        lignes.append(f'<tr class="og-sommaire-n{s["niveau"]}"><td><a href="#{_html.escape(s["id"])}">{texte}</a></td>'
                      f'<td class="og-sommaire-page"{visibilite}>{num}</td></tr>')
    sommaire = ('<nav class="og-sommaire"><p class="og-sommaire-titre"><strong>Sommaire</strong></p><table>'
                + "".join(lignes) + "</table></nav>")
    fin_couverture = page.find("</header>")
    if fin_couverture < 0:
        return page.replace('<div class="og-corps', sommaire + '<div class="og-corps', 1)
    fin_couverture += len("</header>")
    return page[:fin_couverture] + sommaire + page[fin_couverture:]


def _chromium(chromium: str, html: Path, pdf: Path, delai: float) -> None:
    with tempfile.TemporaryDirectory(prefix="og-chromium-") as profil:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-extensions", "--no-pdf-header-footer",
               f"--user-data-dir={profil}", f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        subprocess.run(cmd, check=True, capture_output=True, timeout=delai)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise RuntimeError("Chromium n'a pas produit de PDF")


def texte_pages(pdf: Path, pdftotext: str) -> list[str]:
    """Text of each page of ``pdf`` (``pdftotext`` separates pages by form feeds)."""
    sortie = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=120)
    pages = sortie.stdout.decode("utf-8", "replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def imprimer_pdf(html: Path, pdf: Path, chromium: str, delai: float = 120, pied: str = "",
                 pdftotext: str | None = None) -> list[dict]:
    """Print ``html`` to ``pdf`` with page numbers and a TOC; returns the sections with their page."""
    page, sections = titres_sections(html.read_text(encoding="utf-8"))
    if not pied:
        m = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
        pied = _texte(m.group(1)) if m else html.stem
    copie = html.with_name(f".{html.stem}.impression.html")
    intermediaire = pdf.with_name(f".{pdf.stem}.passe1.pdf")
    final = pdf.with_name(f".{pdf.stem}.tmp.pdf")
    try:
        if sections and pdftotext:
            copie.write_text(copie_impression(_avec_marqueurs(page, sections), sections, pied, pages=False),
                             encoding="utf-8")
            _chromium(chromium, copie, intermediaire, delai)
            textes = texte_pages(intermediaire, pdftotext)
            for numero, texte in enumerate(textes, start=1):
                for m in _RE_MARQUEUR.finditer(texte.replace(" ", "")):
                    k = int(m.group(1))
                    if k < len(sections) and sections[k]["page"] is None:
                        sections[k]["page"] = numero
            copie.write_text(copie_impression(page, sections, pied, pages=True), encoding="utf-8")
            _chromium(chromium, copie, final, delai)
            n_final = len(texte_pages(final, pdftotext))
            if n_final != len(textes):
                raise RuntimeError(f"mise en page instable entre les deux passes ({len(textes)} puis {n_final} pages)")
        else:
            copie.write_text(copie_impression(page, sections, pied, pages=False), encoding="utf-8")
            _chromium(chromium, copie, final, delai)
        os.chmod(final, MODE_LIVRABLE)
        remplacer_atomique(final, pdf)
    finally:
        for f in (copie, intermediaire, final):
            f.unlink(missing_ok=True)
    return sections


def pied_de_page(r: Resultat) -> str:
    titre = r.titre or r.nom
    return f"{titre} — {r.libelle_entite}" if r.libelle_entite and r.libelle_entite not in titre else titre


def imprimer_pdfs(dossier: Path, resultats: list[Resultat], jobs: int, barre: bool = True) -> None:
    """``<livrable>.pdf`` next to every HTML page of ``resultats`` that has none yet (a reused deliverable keeps
    the PDF copied from its run); sets ``Resultat.pdf`` and its sha256. A failure is reported on stderr and does
    not stop the others."""
    a_imprimer = [r for r in resultats if r.html and not r.pdf]
    if not a_imprimer:
        return
    chromium = chromium_disponible()
    if chromium is None:
        print(MESSAGE_CHROMIUM, file=sys.stderr)
        return
    pdftotext = pdftotext_disponible()
    if pdftotext is None:
        print(MESSAGE_POPPLER, file=sys.stderr)
    progression = None
    if barre:
        from tqdm.auto import tqdm  # third-party, lazy

        progression = tqdm(total=len(a_imprimer), desc="PDF", unit="pdf", file=sys.stderr)
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        futurs = {pool.submit(imprimer_pdf, dossier / r.html, dossier / f"{r.nom}.pdf", chromium,
                              pied=pied_de_page(r), pdftotext=pdftotext): r for r in a_imprimer}
        for f in cf.as_completed(futurs):
            r = futurs[f]
            try:
                f.result()
                r.pdf = f"{r.nom}.pdf"
                r.sha256[r.pdf] = empreinte_fichier(dossier / r.pdf)
            except Exception as exc:  # noqa: BLE001
                message = f"PDF non produit pour {r.nom} : {exc}"
                if progression is not None:
                    progression.write(message)
                else:
                    print(message, file=sys.stderr)
            if progression is not None:
                progression.update(1)
    if progression is not None:
        progression.close()
