"""Data-quality disputes (数据疑义/纠错): consumers flag shared records as wrong; providers answer."""
