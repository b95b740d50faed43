"""密码: SM2/SM3/SM4 (GB/T 32918, 32905, 32907), ASN.1 DER, X.509 certificates, the platform's CA and
the trust it keeps, PAdES signing of PDFs, and the key store. No pages of its own: seals and licences use it."""
