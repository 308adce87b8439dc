// gridbillctl: the operator CLI. See cli.h; `gridbillctl help` lists the commands.
#include <iostream>
#include <string>
#include <vector>

#include "tools/gridbillctl/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return gridbill::ctl::Main(args, std::cout, std::cerr);
}
