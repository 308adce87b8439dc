#!/usr/bin/perl
# The checks of sql_concat.sh (see there), over every file named on stdin in
# one process: the shell version ran a dozen processes per file (tr, sed,
# grep) and took minutes on a loaded machine. The patterns are the ones the
# shell version gave grep -E, applied to the same units: the file's lines
# joined and cut after each ';' (a statement), statements marked
# "sql-lint: allowed" dropped; the pg::Query check reads the file's lines.
use strict;
use warnings;

my $kw = 'SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|COPY|TRUNCATE|GRANT|REVOKE|SET|LOCK|VALUES|WHERE|FROM|ORDER BY|DO';
my $calls = 'ExecuteScript|CopyIn|CopyRows|Command';
my ($files, @problems) = (0);

while (my $f = <STDIN>) {
  chomp $f;
  $files++;
  open(my $fh, '<', $f) or die "$f: $!\n";
  my @lines = <$fh>;
  close $fh;
  (my $text = join('', @lines)) =~ tr/\n/ /;
  my @stmts = grep { !/sql-lint: allowed/ } split /(?<=;)/, $text;

  if (grep { /(StrCat|StrAppend|StrFormat|Substitute)\([^;]*"[[:space:]]*(?:$kw)[[:space:]]/ } @stmts) {
    push @problems, "$f: SQL text inside StrCat/StrAppend/StrFormat/Substitute";
  }
  if (grep {
        /("[[:space:]]*(?:$kw)[[:space:]][^"]*"[[:space:]]*\+[[:space:]]*[A-Za-z_(])|([A-Za-z_)][[:space:]]*\+[[:space:]]*"[[:space:]]*(?:$kw)[[:space:]])/
      } @stmts) {
    push @problems, "$f: SQL text joined with + to a value";
  }
  next if $f =~ m{^libs/pg/};
  if (grep {
        /(^|[^A-Za-z0-9_])(pg::)?Query[[:space:]]*[{(]/
          && !/constexpr|^[[:space:]]*\/\/|(struct|class)[[:space:]]+Query[[:space:]]*\{/
      } @lines) {
    push @problems, "$f: a pg::Query made at run time (make it a constexpr constant in queries.h)";
  }
  my $some_call_not_constant = grep { /(?:$calls)\((tx,[[:space:]]*)?[^k"q)[:space:]]/ } @stmts;
  my @args = map { /(?:$calls)\((?:tx,[[:space:]]*)?[^)]*/g } @stmts;
  if ($some_call_not_constant
      && grep { !/\((tx,[[:space:]]*)?(q::)?k[A-Z][A-Za-z0-9_]*|\((tx,[[:space:]]*)?"|\(sql(,|\))/ } @args) {
    push @problems, "$f: ExecuteScript/CopyIn/CopyRows/Command with text that is not a named constant";
  }
}

if (@problems) {
  print "SQL built from strings at run time (name each statement in queries.h and pass values\n";
  print "as parameters):\n";
  print "$_\n" for @problems;
  exit 1;
}
print "$files\n";
