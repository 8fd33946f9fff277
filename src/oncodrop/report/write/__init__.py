"""Writers of the somatic report's files; each renders one ``ReportContent``."""
