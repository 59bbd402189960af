package extract

import "github.com/zhida/zhida/corpus"

// ParseAmount reads the computable form of an amount as a policy states it
// (一次性奖励30万元, 每人每月400元, 按30%给予补助，最高不超过5000万元); nil when
// it states none. Pages use it for benefits stored without one.
func ParseAmount(s string) *corpus.Amount { return parseAmount(s) }
