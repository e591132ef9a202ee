// SPDX-License-Identifier: MIT
#pragma once

#include <functional>

/*
  Runs the event loop until \a condition holds or \a timeoutMs passed;
  returns the condition. For tests whose own event loop generates load (an
  HTTP client hammering a server) while they wait: QTest::qWaitFor naps 10 ms
  between rounds of events, which cuts such load tenfold (tst_examples' fast
  requests: about 6800 requests through a reload, 670 with qWaitFor).
  Every other wait for a condition is QTest::qWaitFor.
*/
bool waitUnderLoad(const std::function<bool()> &condition, int timeoutMs);
