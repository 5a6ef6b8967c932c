package analysis

import "hash/maphash"

func seedForTest() maphash.Seed { return maphash.MakeSeed() }
