"""节假日设置: the working-day calendar (State Council holidays and make-up working days)."""
