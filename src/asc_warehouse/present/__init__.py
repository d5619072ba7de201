"""What analysts and managers look at: the scorecard site and the national-layout exports,
written from the published warehouse at every publication."""
