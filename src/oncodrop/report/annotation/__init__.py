"""Consequence annotation: parse VEP CSQ, snpEff ANN and bcftools BCSQ, or call bcftools csq."""
