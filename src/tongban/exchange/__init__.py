"""共享交换: sharing requests and grants (this part), the exchange API and its log (later)."""
