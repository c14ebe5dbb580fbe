"""PDF of every HTML page, printed by headless Chromium (``orleans-gov rapports --pdf``).

The pages are self-contained, so Chromium runs without network. When Chromium is not installed, the run says how
to install it and goes on: the HTML pages are complete and print from any browser.
"""
from __future__ import annotations

import concurrent.futures as cf
import shutil
import subprocess
import sys
from pathlib import Path

from orleans_gov.rendu.taches import Resultat

EXECUTABLES_CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MESSAGE_CHROMIUM = ("PDF non produits : Chromium est introuvable sur ce poste. Pour l'installer (Debian/Ubuntu) : "
                    "« sudo apt-get install chromium » puis relancer « orleans-gov rapports --pdf ». "
                    "Les pages HTML sont complètes et s'impriment aussi depuis un navigateur (Fichier > Imprimer).")


def chromium_disponible() -> str | None:
    """Path of the first Chromium / Chrome executable found on ``PATH``."""
    for nom in EXECUTABLES_CHROMIUM:
        chemin = shutil.which(nom)
        if chemin:
            return chemin
    return None


def imprimer_pdf(html: Path, pdf: Path, chromium: str, delai: float = 120) -> None:
    """Print an HTML page to PDF with headless Chromium (no network: the pages are self-contained)."""
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", "--disable-extensions", "--no-pdf-header-footer",
           f"--print-to-pdf={pdf}", html.resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=delai)


def imprimer_pdfs(dossier: Path, resultats: list[Resultat], jobs: int) -> None:
    """``<livrable>.pdf`` next to every HTML page of ``resultats`` (sets ``Resultat.pdf``); a failure is reported
    on stderr and does not stop the others."""
    chromium = chromium_disponible()
    if chromium is None:
        print(MESSAGE_CHROMIUM, file=sys.stderr)
        return
    a_imprimer = [r for r in resultats if r.html]
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        futurs = {pool.submit(imprimer_pdf, dossier / r.html, dossier / f"{r.nom}.pdf", chromium): r
                  for r in a_imprimer}
        for f in cf.as_completed(futurs):
            r = futurs[f]
            try:
                f.result()
                r.pdf = f"{r.nom}.pdf"
            except Exception as exc:  # noqa: BLE001
                print(f"PDF non produit pour {r.nom} : {exc}", file=sys.stderr)
