"""组织与身份: regions, departments, staff, citizen and enterprise accounts, application clients."""
