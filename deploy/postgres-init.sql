-- One database per subgraph: no subgraph reads another's tables.
CREATE DATABASE projects;
CREATE DATABASE payments;
CREATE DATABASE blockchain;
