// Test doubles of the gateway: the shared FakeClock, cheap argon2 parameters.
#pragma once

#include "../passwords.h"
#include "gridbill/testing/fake_clock.h"

namespace gridbill::gateway::testing {

using FakeClock = ::gridbill::testing::FakeClock;

// Cheap argon2id parameters so tests stay fast (production uses the defaults).
inline constexpr Argon2Params kTestArgon2{1, 1024, 1};

}  // namespace gridbill::gateway::testing
