// The -serial option: one COM port per use (COM1 first), spec checking, and the -nographic
// default of COM1 on stdio.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frontend/cli_options.h"

using namespace bt86;

TEST_CASE("-serial: each use adds the next COM port; -nographic defaults COM1 to stdio") {
  CHECK(parse_cli({}).machine.serial.empty());
  CHECK(parse_cli({"-nographic"}).machine.serial == std::vector<std::string>{"stdio"});
  CHECK(parse_cli({"-serial", "file:/tmp/x", "-nographic"}).machine.serial ==
        std::vector<std::string>{"file:/tmp/x"});
  CHECK(parse_cli({"-serial", "none", "-serial", "stdio"}).machine.serial ==
        std::vector<std::string>{"none", "stdio"});
}

TEST_CASE("-serial: bad specs and a third port are command-line errors") {
  CHECK_THROWS_AS(parse_cli({"-serial", "tcp:1234"}), CliError);
  CHECK_THROWS_AS(parse_cli({"-serial", "file:"}), CliError);
  CHECK_THROWS_AS(parse_cli({"-serial", "none", "-serial", "none", "-serial", "none"}), CliError);
  CHECK(cli_usage().find("-serial SPEC") != std::string::npos);
}
