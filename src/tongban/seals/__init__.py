"""电子印章 (GB/T 38540): departments' seals with their SM2 and PDF keys and certificates, and the seal picture."""
